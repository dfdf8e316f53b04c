import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canMove, type Phase } from "../../functions/core/task/phases.js";
import { createLocalApp, exampleImagePath } from "../../local/stack/local-app.js";
import { startLocalPoller } from "../../local/stack/local-poller.js";
import { delivered, deliveryWhen } from "../support/run-poller-until.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";
import { launchBrowser } from "./browser.js";

const screenshot = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
const phaseOrder: Phase[] = ["queued", "submitted", "generating", "copying", "done"];

type ConsoleStack = { stack: TestStack; baseUrl: string; close(): Promise<void> };

/** The api as `npm start` serves it, over real HTTP on a fresh local stack, with the poller running. */
async function startConsoleStack(generationMs: number): Promise<ConsoleStack> {
  const stack = await startTestStack({ simulator: { generationMs } });
  const local = createLocalApp(stack.deps, stack.settings, {
    webhookSecret: () => stack.tenant.webhookSecret,
    log: () => {},
  });
  const server = serve({ fetch: local.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const poller = startLocalPoller(stack.deps, stack.settings.environment);
  return {
    stack,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await poller.stop();
      server.close();
      await stack.close();
    },
  };
}

let browser: Browser;
// One context for the whole file: the shipped Chromium runs in one process, and closing a context
// ends it. Each page is its own tab, so each has its own sessionStorage all the same.
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext();
});
afterAll(async () => {
  await browser?.close();
});

async function newPage(viewport: { width: number; height: number }) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  return page;
}

async function openWithKey(page: Page, baseUrl: string, key: string) {
  await page.goto(`${baseUrl}/console`);
  await page.getByLabel("Key", { exact: true }).fill(key);
  await page.getByRole("button", { name: "Use key" }).click();
  await page.locator("#key-state", { hasText: "Key accepted." }).waitFor();
}

/** Every phase the first task of the list shows, in order, as the page's own refreshes render them. */
async function recordPhases(page: Page) {
  await page.locator("#tasks").evaluate((list) => {
    const seen: string[] = [];
    (window as unknown as { seenPhases: string[] }).seenPhases = seen;
    new MutationObserver(() => {
      const phase = list.querySelector("li.task")?.getAttribute("data-phase");
      if (phase && seen[seen.length - 1] !== phase) seen.push(phase);
    }).observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-phase"] });
  });
  return () => page.evaluate(() => (window as unknown as { seenPhases: string[] }).seenPhases);
}

describe("the web console at /console", () => {
  let running: ConsoleStack;

  // A generation long enough that the 2 s list shows the task before it is done.
  beforeAll(async () => {
    running = await startConsoleStack(3000);
  });
  afterAll(async () => {
    await running?.close();
  });

  it("takes a key and an image, shows the phases as they move, plays the MP4, and redelivers its webhook", async () => {
    // Prepare: a desktop-sized page with the tenant's key; the bucket calls are watched.
    const { stack, baseUrl } = running;
    const page = await newPage({ width: 1280, height: 900 });
    const calls: string[] = [];
    page.on("response", (response) => {
      const url = new URL(response.url());
      const where =
        url.origin === baseUrl ? url.pathname : url.origin === stack.s3Endpoint ? "bucket" : url.origin;
      calls.push(`${response.request().method()} ${where} ${response.status()}`);
    });
    await openWithKey(page, baseUrl, stack.apiKey);
    const seenPhases = await recordPhases(page);

    // Act: pick the example image, write a prompt, ask for the webhook in the local inbox, generate.
    await page.locator("#image-file").setInputFiles(exampleImagePath);
    await page.locator("#image-name", { hasText: "example.jpg" }).waitFor();
    await page.getByLabel("Prompt").fill("The dog turns its head");
    await page.getByLabel("Webhook URL").fill(`${baseUrl}/dev/webhooks`);
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("#create-state", { hasText: "created." }).waitFor();

    // Assess: the image went through the upload route and a PUT to the bucket…
    expect(calls).toContain("POST /api/v1/uploads 201");
    expect(calls).toContain("PUT bucket 200");
    expect(calls).toContain("POST /api/v1/videos/generations 200");

    // …the task moves through its phases to done, in legal steps…
    const card = page.locator("li.task").first();
    await card.and(page.locator('[data-phase="done"]')).waitFor({ timeout: 60_000 });
    const seen = await seenPhases();
    expect(seen[0]).not.toBe("done");
    expect(seen.at(-1)).toBe("done");
    for (let index = 1; index < seen.length; index++) {
      const from = seen[index - 1] as Phase;
      const to = seen[index] as Phase;
      // The list samples every 2 s, so steps may be skipped, never reversed.
      expect(canMove(from, to) || phaseOrder.indexOf(to) > phaseOrder.indexOf(from)).toBe(true);
    }
    await expect(card.locator(".credits").textContent()).resolves.toBe("30 credits");
    await expect(card.getByRole("button", { name: "Cancel" }).isHidden()).resolves.toBe(true);
    await page
      .locator("#usage", { hasText: "Credits: 30 spent" })
      .and(page.getByText("1 completed"))
      .waitFor();

    // …its <video> plays the MP4 from the bucket: currentTime advances…
    const video = card.locator("video");
    await video.waitFor({ state: "visible" });
    const startedAt = await video.evaluate(async (element: HTMLVideoElement) => {
      element.muted = true;
      await element.play();
      return element.currentTime;
    });
    await video.evaluate(
      (element: HTMLVideoElement, from: number) =>
        new Promise<void>((resolve) => {
          const check = () => (element.currentTime > from + 0.5 ? resolve() : undefined);
          element.addEventListener("timeupdate", check);
          check();
        }),
      startedAt,
    );
    const played = await video.evaluate((element: HTMLVideoElement) => ({
      width: element.videoWidth,
      height: element.videoHeight,
      error: element.error,
    }));
    expect(played).toEqual({ width: 1366, height: 768, error: null });
    await video.evaluate((element: HTMLVideoElement) => element.pause());

    // …and its webhook delivery shows, and is sent once more on request.
    const taskId = (await card.getAttribute("data-task-id")) ?? "";
    await deliveryWhen(stack.deps, taskId, delivered);
    await card.getByText("Webhook deliveries").click();
    const row = card.locator(".delivery-body tr", { hasText: "video.completed" });
    await row.and(card.locator("tr", { hasText: "delivered" })).waitFor();
    await expect(row.locator("td").nth(2).textContent()).resolves.toBe("1");
    await card.getByRole("button", { name: "Redeliver the webhook" }).click();
    await row.locator("td").nth(2).getByText("2", { exact: true }).waitFor();
    await page.screenshot({ path: screenshot("console.png"), fullPage: true });

    // The same console on a phone's screen, with the key pasted again (it is kept per tab).
    const phone = await newPage({ width: 390, height: 844 });
    await openWithKey(phone, baseUrl, stack.apiKey);
    await phone.locator('li.task[data-phase="done"] video').waitFor({ state: "visible" });
    // The poster frame: the first frame, decoded and shown (#t=0.1), before the screenshot.
    await phone.waitForFunction(() => {
      const element = document.querySelector<HTMLVideoElement>('li.task[data-phase="done"] video');
      return element !== null && element.readyState >= 2 && !element.seeking;
    });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await phone.screenshot({ path: screenshot("console-phone.png"), fullPage: true });
    await phone.close();
    await page.close();
  }, 120_000);

  it("shows the API's own message for a key it does not know, typed with the keyboard", async () => {
    // Prepare: what the API answers that key.
    const { baseUrl } = running;
    const answer = await fetch(`${baseUrl}/api/v1/tasks`, {
      headers: { authorization: "Bearer hk_live_nobody" },
    });
    const { error } = (await answer.json()) as { error: { message: string } };
    const page = await newPage({ width: 1024, height: 768 });

    // Act: by keyboard only, as a person without a mouse would.
    await page.goto(`${baseUrl}/console`);
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("api-key");
    await page.keyboard.type("hk_live_nobody");
    await page.keyboard.press("Enter");

    // Assess
    await page.locator("#key-error", { hasText: error.message }).waitFor();
    expect(answer.status).toBe(401);
    await expect(page.locator("#tasks li").count()).resolves.toBe(0);
    await page.close();
  });

  it("shows the 1080P rule and offers only 6 s with 1080P", async () => {
    const page = await newPage({ width: 1024, height: 768 });
    await page.goto(`${running.baseUrl}/console`);

    await page.getByLabel("Resolution").selectOption("1080P");

    await expect(page.locator("#rule").textContent()).resolves.toBe("1080P is 6 s only.");
    await expect(page.locator("#duration option[value='10']").isDisabled()).resolves.toBe(true);
    await expect(page.getByLabel("Duration").inputValue()).resolves.toBe("6");
    await page.close();
  });
});

describe("the web console's cancel button", () => {
  let running: ConsoleStack;

  // A generation that outlasts the test, so the task is still running when it is canceled.
  beforeAll(async () => {
    running = await startConsoleStack(120_000);
  });
  afterAll(async () => {
    await running?.close();
  });

  it("cancels an unfinished task, and the list shows it canceled", async () => {
    // Prepare: a task that is generating.
    const { stack, baseUrl } = running;
    const page = await newPage({ width: 1024, height: 768 });
    await openWithKey(page, baseUrl, stack.apiKey);
    await page.locator("#image-file").setInputFiles(exampleImagePath);
    await page.getByLabel("Prompt").fill("The dog waits");
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.locator("li.task").first();
    await card.and(page.locator('[data-status="IN_PROGRESS"]')).waitFor();

    // Act
    await card.getByRole("button", { name: "Cancel" }).click();

    // Assess
    await card.and(page.locator('[data-phase="canceled"]')).waitFor();
    await expect(card.locator(".status").textContent()).resolves.toBe("canceled");
    await expect(card.getByRole("button", { name: "Cancel" }).isHidden()).resolves.toBe(true);
    await page.locator("#usage", { hasText: "1 canceled" }).waitFor();
    await page.close();
  });
});
