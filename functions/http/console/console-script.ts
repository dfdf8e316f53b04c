/**
 * The console's browser script, served as is (no build step): plain modern JavaScript, no framework.
 * It keeps the key in sessionStorage, talks to /api/v1 on the same origin, and keeps one DOM node per
 * task so that the 2 s refresh updates text in place and never restarts a playing video.
 * Written without template literals or backslashes, so that it can live in this template string.
 */
export const consoleScript = `"use strict";
(() => {
  const api = "/api/v1";
  const storageKey = "hailuo-console.api-key";
  const refreshMs = 2000;
  const byId = (id) => document.getElementById(id);
  const cards = new Map();
  let apiKey = sessionStorage.getItem(storageKey) || "";
  let generation = 0;
  let chosenFile = null;

  class ApiError extends Error {
    constructor(status, message, type) {
      super(message);
      this.status = status;
      this.type = type;
    }
  }

  async function call(method, path, body, extraHeaders) {
    const headers = Object.assign({ authorization: "Bearer " + apiKey }, extraHeaders || {});
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(api + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    if (!response.ok) {
      const error = payload && payload.error ? payload.error : {};
      throw new ApiError(response.status, error.message || "HTTP " + response.status, error.type);
    }
    return payload ? payload.data : null;
  }

  function show(element, text) {
    element.textContent = text;
    element.hidden = !text;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(text, className, onClick) {
    const node = element("button", className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  // The key: typed once, kept for this tab only.
  const keyForm = byId("key-form");
  const keyInput = byId("api-key");
  const keyState = byId("key-state");
  const keyError = byId("key-error");
  keyInput.value = apiKey;
  keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    apiKey = keyInput.value.trim();
    if (apiKey) sessionStorage.setItem(storageKey, apiKey);
    else sessionStorage.removeItem(storageKey);
    for (const card of cards.values()) card.root.remove();
    cards.clear();
    startRefreshing();
  });
  byId("forget-key").addEventListener("click", () => {
    apiKey = "";
    keyInput.value = "";
    sessionStorage.removeItem(storageKey);
    generation += 1;
    for (const card of cards.values()) card.root.remove();
    cards.clear();
    show(keyError, "");
    keyState.textContent = "Key forgotten.";
    byId("usage").textContent = "Paste a key to see usage.";
    byId("tasks-empty").hidden = false;
  });

  // The live list: one refresh at a time, the next one 2 s after the last answer.
  function startRefreshing() {
    generation += 1;
    const mine = generation;
    const loop = async () => {
      if (mine !== generation || !apiKey) return;
      if (!document.hidden) await refresh();
      if (mine === generation) setTimeout(loop, refreshMs);
    };
    loop();
  }

  async function refresh() {
    const listError = byId("list-error");
    try {
      const data = await call("GET", "/tasks?limit=20");
      show(keyError, "");
      show(listError, "");
      keyState.textContent = "Key accepted.";
      byId("list-state").textContent = "updated " + new Date().toLocaleTimeString();
      render(data.tasks);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        generation += 1;
        keyState.textContent = "";
        show(keyError, error.message);
        return;
      }
      show(listError, error.message);
    }
    await refreshUsage();
  }

  async function refreshUsage() {
    const usage = byId("usage");
    try {
      const data = await call("GET", "/usage");
      const tasks = data.tasks || {};
      const remaining = data.credits_remaining === null ? "no budget set" : data.credits_remaining + " left";
      usage.textContent =
        "Credits: " + data.credits_spent + " spent, " + remaining + " · Tasks: " +
        (tasks.in_progress || 0) + " in progress, " + (tasks.completed || 0) + " completed, " +
        (tasks.failed || 0) + " failed, " + (tasks.canceled || 0) + " canceled";
    } catch (error) {
      usage.textContent = error instanceof ApiError && error.status === 404 ? "Usage: not served by this gateway yet" : "Usage: " + error.message;
    }
  }

  function render(tasks) {
    const list = byId("tasks");
    const seen = new Set();
    tasks.forEach((task, index) => {
      seen.add(task.task_id);
      let card = cards.get(task.task_id);
      if (!card) {
        card = createCard(task.task_id);
        cards.set(task.task_id, card);
      }
      updateCard(card, task);
      if (list.children[index] !== card.root) list.insertBefore(card.root, list.children[index] || null);
    });
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.root.remove();
        cards.delete(id);
      }
    }
    byId("tasks-empty").hidden = tasks.length > 0;
  }

  function createCard(taskId) {
    const root = element("li", "task");
    root.dataset.taskId = taskId;
    const header = element("header");
    const phase = element("span", "phase");
    const status = element("strong", "status");
    const credits = element("span", "credits");
    const id = element("span", "id", taskId);
    header.append(phase, status, credits, id);
    const prompt = element("p", "prompt");
    const meta = element("p", "muted meta");
    const error = element("p", "error task-error");
    error.hidden = true;
    const video = element("video");
    video.controls = true;
    video.preload = "metadata";
    video.playsInline = true;
    video.hidden = true;
    video.setAttribute("aria-label", "the video of task " + taskId);
    const actions = element("div", "row actions");
    const cancel = button("Cancel", "danger cancel", () => cancelTask(card));
    const download = element("a", "download", "Open the MP4");
    download.hidden = true;
    download.target = "_blank";
    download.rel = "noopener";
    actions.append(cancel, download);
    const actionError = element("p", "error action-error");
    actionError.hidden = true;
    actionError.setAttribute("role", "alert");
    const deliveries = element("details", "deliveries");
    const summary = element("summary", "", "Webhook deliveries");
    const deliveryBody = element("div", "delivery-body");
    const redeliver = button("Redeliver the webhook", "secondary redeliver", () => redeliverWebhook(card));
    deliveries.append(summary, deliveryBody, redeliver);
    deliveries.addEventListener("toggle", () => {
      if (deliveries.open) loadDeliveries(card);
    });
    root.append(header, prompt, meta, error, video, actions, actionError, deliveries);
    const card = { root, phase, status, credits, prompt, meta, error, video, cancel, download, actionError, deliveries, deliveryBody, taskId, videoUrl: "" };
    video.addEventListener("error", () => {
      // A presigned URL lasts an hour; the list hands out a fresh one on every refresh.
      if (card.videoUrl && video.getAttribute("src") !== card.videoUrl + "#t=0.1") video.src = card.videoUrl + "#t=0.1";
    });
    return card;
  }

  function updateCard(card, task) {
    card.root.dataset.phase = task.phase;
    card.root.dataset.status = task.status;
    card.phase.dataset.phase = task.phase;
    card.phase.textContent = task.phase;
    card.status.textContent = task.status;
    card.credits.textContent = task.credits + " credits";
    card.prompt.textContent = task.prompt;
    const model = task.model.endsWith("-pro") ? "Hailuo 2.3 Pro" : "Hailuo 2.3";
    card.meta.textContent =
      model + " · " + task.duration + " s · " + task.resolution + " · " + task.source +
      " · created " + new Date(task.created_at).toLocaleString();
    show(card.error, task.error ? task.error.code + ": " + task.error.message : "");
    card.cancel.hidden = task.status !== "IN_PROGRESS";
    // A <video> cannot send the key, so it plays the presigned URL; content_url is the fallback.
    const url = task.video_url || task.content_url || "";
    if (url) {
      card.videoUrl = url;
      card.download.href = url;
      card.download.hidden = false;
      if (!card.video.getAttribute("src")) {
        card.video.src = url + "#t=0.1";
        card.video.hidden = false;
      }
    }
    // An open deliveries panel follows along: retries and redeliveries show as they happen.
    if (card.deliveries.open) loadDeliveries(card);
  }

  async function cancelTask(card) {
    card.cancel.disabled = true;
    try {
      await call("POST", "/tasks/" + encodeURIComponent(card.taskId) + "/cancel");
      show(card.actionError, "");
      await refresh();
    } catch (error) {
      show(card.actionError, error.message);
    } finally {
      card.cancel.disabled = false;
    }
  }

  async function loadDeliveries(card) {
    // Only the newest answer is drawn, whichever comes back first.
    card.deliveriesAsked = (card.deliveriesAsked || 0) + 1;
    const asked = card.deliveriesAsked;
    try {
      const data = await call("GET", "/tasks/" + encodeURIComponent(card.taskId) + "/deliveries");
      if (asked !== card.deliveriesAsked) return;
      renderDeliveries(card, data.deliveries || []);
      show(card.actionError, "");
    } catch (error) {
      card.deliveryBody.textContent = "";
      show(card.actionError, error.message);
    }
  }

  function renderDeliveries(card, deliveries) {
    card.deliveryBody.textContent = "";
    if (deliveries.length === 0) {
      card.deliveryBody.append(element("p", "muted", "No webhook yet."));
      return;
    }
    const table = element("table");
    const head = element("tr");
    for (const title of ["Event", "State", "Attempts", "Last answer", "Next try", "URL"]) head.append(element("th", "", title));
    table.append(head);
    for (const delivery of deliveries) {
      const attempts = delivery.attempts || [];
      const lastAttempt = attempts[attempts.length - 1];
      const answer = !lastAttempt
        ? "none yet"
        : (lastAttempt.status_code === null ? lastAttempt.error || "no answer" : "HTTP " + lastAttempt.status_code) +
          " at " + new Date(lastAttempt.at).toLocaleTimeString() + " (" + lastAttempt.duration_ms + " ms)";
      const row = element("tr");
      row.append(
        element("td", "", delivery.event_type),
        element("td", "", delivery.state),
        element("td", "", String(attempts.length)),
        element("td", "", answer),
        element("td", "", delivery.next_attempt_at ? new Date(delivery.next_attempt_at).toLocaleTimeString() : "—"),
        element("td", "url", delivery.url),
      );
      table.append(row);
    }
    card.deliveryBody.append(table);
  }

  async function redeliverWebhook(card) {
    try {
      await call("POST", "/tasks/" + encodeURIComponent(card.taskId) + "/deliveries/redeliver");
      await loadDeliveries(card);
    } catch (error) {
      show(card.actionError, error.message);
    }
  }

  // The form: 1080P is 6 s only, so each choice disables the other's impossible option.
  const form = byId("create-form");
  const resolution = byId("resolution");
  const duration = byId("duration");
  const createError = byId("create-error");
  const createState = byId("create-state");
  const createButton = byId("create");
  function applyRule() {
    duration.querySelector("option[value='10']").disabled = resolution.value === "1080P";
    resolution.querySelector("option[value='1080P']").disabled = duration.value === "10";
  }
  resolution.addEventListener("change", applyRule);
  duration.addEventListener("change", applyRule);
  applyRule();

  const fileInput = byId("image-file");
  const dropZone = byId("drop-zone");
  const preview = byId("image-preview");
  const allowedTypes = ["image/jpeg", "image/png", "image/webp"];
  function choose(file) {
    if (!file) return;
    if (!allowedTypes.includes(file.type)) {
      show(createError, "image: " + (file.type || "this file") + " is not JPEG, PNG or WebP");
      return;
    }
    show(createError, "");
    chosenFile = file;
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    byId("image-name").textContent = file.name + " (" + Math.round(file.size / 1024) + " KB)";
  }
  fileInput.addEventListener("change", () => choose(fileInput.files[0]));
  dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    dropZone.classList.add("over");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("over"));
  dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropZone.classList.remove("over");
    choose(event.dataTransfer.files[0]);
  });

  function readAsDataUrl(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  // Through POST /uploads and a PUT to the bucket; a gateway without the route takes a data: URL.
  async function imageOf(file) {
    let upload;
    try {
      upload = await call("POST", "/uploads", { content_type: file.type, content_length: file.size });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return readAsDataUrl(file);
      throw error;
    }
    const put = await fetch(upload.upload_url, { method: upload.method || "PUT", headers: upload.headers, body: file });
    if (!put.ok) throw new Error("image: the upload answered HTTP " + put.status);
    return upload.image;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const prompt = byId("prompt").value.trim();
    const imageUrl = byId("image-url").value.trim();
    const problem = !apiKey
      ? "Paste an API key first."
      : !chosenFile && !imageUrl
        ? "image: choose or drop an image, or give its URL"
        : !prompt
          ? "prompt: describe the motion you want"
          : resolution.value === "1080P" && duration.value !== "6"
            ? "duration: 1080P is 6 s only"
            : "";
    show(createError, problem);
    if (problem) return;
    createButton.disabled = true;
    try {
      createState.textContent = chosenFile ? "Uploading the image…" : "Creating the task…";
      const image = chosenFile ? await imageOf(chosenFile) : imageUrl;
      createState.textContent = "Creating the task…";
      const body = { model: byId("model").value, prompt, image, duration: duration.value, resolution: resolution.value };
      const callbackUrl = byId("callback-url").value.trim();
      if (callbackUrl) body.callback_url = callbackUrl;
      const data = await call("POST", "/videos/generations", body, { "idempotency-key": crypto.randomUUID() });
      createState.textContent = "Task " + data.task_id + " created.";
      await refresh();
    } catch (error) {
      createState.textContent = "";
      show(createError, error.message);
    } finally {
      createButton.disabled = false;
    }
  });

  if (apiKey) startRefreshing();
})();
`;
