import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import { newWebhookSecret } from "../../functions/core/api-keys.js";
import { createRequestSchema } from "../../functions/core/create-request.js";
import type { Deps } from "../../functions/core/deps.js";
import { isTerminal } from "../../functions/core/task/phases.js";
import type { Tenant } from "../../functions/core/tenant.js";
import { advanceTask } from "../../functions/core/use-cases/advance-task.js";
import { sweepDueWork } from "../../functions/core/use-cases/run-poller.js";
import { submitTask } from "../../functions/core/use-cases/submit-task.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import { uniqueName } from "../support/aws-clients.js";
import { aTask } from "../support/fixtures.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

/**
 * The provider's pace against the simulator's own limit (SIM_RPM): 60 creates a window, the window
 * shortened to 5 s with UPSTREAM_RPM scaled to match, so 200 tasks take four windows. The big
 * tenant's drop of 190 images is recorded queued, as the api leaves tasks whose inline try finds
 * no budget; once two pollers have sent 20 of them, the small tenant sends 10 requests through the
 * api. Api and pollers share the one budget in DynamoDB. On a loaded machine the gateway itself may
 * send fewer than the budget allows; the assertions hold either way.
 */
const windowMs = 5_000;
const rpm = 60;
const bigTasks = 190;
const smallTasks = 10;
/** The provider's pace of these tests: `rpm` creates a window of `windowMs`. */
const pacedEnvironment = { UPSTREAM_RPM: String(rpm), UPSTREAM_RPM_WINDOW_MS: String(windowMs) };

type UpstreamCreate = { prompt: string; createdAt: string };

/** The creates the simulator accepted, in the order it accepted them. */
async function upstreamCreates(dataDir: string): Promise<UpstreamCreate[]> {
  const folder = join(dataDir, "tasks");
  const files = (await readdir(folder)).filter((name) => name.endsWith(".json"));
  const records = await Promise.all(
    files.map(async (name) => JSON.parse(await readFile(join(folder, name), "utf8")) as UpstreamCreate),
  );
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

describe("the provider's pace, shared and fair", () => {
  let stack: TestStack;
  let small: Tenant;

  beforeAll(async () => {
    stack = await startTestStack({
      simulator: { rpm, rpmWindowMs: windowMs, generationMs: 500, reuseRenders: true, renderConcurrency: 2 },
      env: {
        ...pacedEnvironment,
        UPSTREAM_SLOWDOWN_MS: String(2 * windowMs),
        UPSTREAM_POLL_INTERVAL_MS: "2000",
      },
    });
    small = await seedTenant(stack.deps.tenants, {
      id: uniqueName("small"),
      name: "Small tenant",
      apiKey: `test-key-${uniqueName("k")}`,
      webhookSecret: newWebhookSecret(),
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("finishes 200 tasks of two tenants with few rate-limit answers, the small tenant served in turn", async () => {
    // Prepare: the drop, recorded and waiting for the provider.
    const bytes = await readFile(exampleImagePath);
    const imageKey = `inputs/${uniqueName("drop")}.jpg`;
    await stack.deps.media.putObject(imageKey, bytes, "image/jpeg");
    const record = pLimit(8);
    const bigIds = await Promise.all(
      Array.from({ length: bigTasks }, (_, index) =>
        record(async () => {
          const task = aTask({
            tenantId: stack.tenant.id,
            prompt: `big ${index}`,
            image: { kind: "stored", key: imageKey, contentType: "image/jpeg" },
          });
          await stack.deps.tasks.createTask(task, stack.tenant);
          return task.id;
        }),
      ),
    );
    const pollers: Deps[] = [0, 1].map(() =>
      buildDeps(stack.settings, { serviceName: "poller", logger: stack.deps.logger }),
    );
    let sweeping = true;
    const sweeps = pollers.map(async (poller) => {
      while (sweeping) {
        // A batch that holds the whole backlog: fairness is among the tasks a sweep sees.
        await sweepDueWork(poller, { limit: 250, concurrency: 8 });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });

    // Act: the small tenant's requests arrive through the api once the drop is being drained.
    const accepted = async () =>
      ((await (await fetch(`${stack.simulator?.url}/sim/stats`)).json()) as { creates: number }).creates;
    while ((await accepted()) < 20) await new Promise((resolve) => setTimeout(resolve, 100));
    const schema = createRequestSchema({ allowPrivateUrls: true });
    const image = `data:image/jpeg;base64,${bytes.toString("base64")}`;
    const smallIds = await Promise.all(
      Array.from({ length: smallTasks }, async (_, index) => {
        const request = schema.parse({ prompt: `small ${index}`, image });
        return (await submitTask(stack.deps, { tenant: small, request, source: { kind: "api" } })).task.id;
      }),
    );
    const ids = [...bigIds, ...smallIds];
    const deadline = Date.now() + 150_000;
    const unfinishedOf = async (tenant: Tenant) => {
      let count = 0;
      let cursor: string | undefined;
      do {
        const page = await stack.deps.tasks.listTasks(tenant.id, {
          limit: 100,
          ...(cursor ? { cursor } : {}),
        });
        count += page.tasks.filter((task) => !(isTerminal(task.phase) && task.announced)).length;
        cursor = page.nextCursor;
      } while (cursor);
      return count;
    };
    // Read by the owner index, a few queries a second: the checker must not load the store it checks.
    while (Date.now() < deadline) {
      const unfinished = (await unfinishedOf(stack.tenant)) + (await unfinishedOf(small));
      if (unfinished === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    sweeping = false;
    await Promise.all(sweeps);

    // Assess
    const finished = await Promise.all(ids.map((id) => stack.deps.tasks.getTask(id)));
    const notDone = finished.filter((task) => task?.phase !== "done");
    expect(notDone.map((task) => ({ id: task?.id, phase: task?.phase, error: task?.error }))).toEqual([]);
    const stats = (await (await fetch(`${stack.simulator?.url}/sim/stats`)).json()) as {
      creates: number;
      rateLimited: number;
    };
    const order = (await upstreamCreates(stack.simulator?.dataDir ?? "")).map((entry) => entry.prompt);
    const smallPositions = order.flatMap((prompt, position) =>
      prompt.startsWith("small") ? [position] : [],
    );
    const lastSmall = smallPositions.at(-1) ?? order.length;
    const bigBeforeLastSmall = order.slice(0, lastSmall).filter((prompt) => prompt.startsWith("big")).length;
    console.log(
      `upstream pace: ${stats.creates} creates, ${stats.rateLimited} rate-limit answers; the small tenant's ` +
        `tasks went upstream at positions ${smallPositions.join(", ")} (${bigBeforeLastSmall} big ones before its last)`,
    );
    // What each small task went through, should one of them go late.
    const smallTrail = finished
      .filter((task) => task?.prompt.startsWith("small"))
      .map((task) => ({
        prompt: task?.prompt,
        attempts: task?.attempts,
        submitAttempts: task?.submitAttempts,
        ambiguousCreates: task?.ambiguousCreates,
        lastError: task?.lastError,
        createdAt: task?.createdAt,
        submittedAt: order.indexOf(task?.prompt ?? ""),
      }));
    if (bigBeforeLastSmall >= bigTasks - smallTasks) console.log(JSON.stringify(smallTrail, null, 1));
    expect(stats.creates).toBe(bigTasks + smallTasks);
    expect(stats.rateLimited).toBeLessThanOrEqual(5);
    expect(smallPositions).toHaveLength(smallTasks);
    // Oldest first alone would send the small tenant's requests after the whole drop (positions 190
    // to 199). Served in turn, none waits for the drop's end, and most go before half of it is sent.
    expect(bigBeforeLastSmall).toBeLessThan(bigTasks - smallTasks);
    const bigBefore = (position: number) =>
      order.slice(0, position).filter((prompt) => prompt.startsWith("big")).length;
    expect(
      smallPositions.filter((position) => bigBefore(position) < bigTasks / 2).length,
    ).toBeGreaterThanOrEqual(smallTasks / 2);
    // Waiting for the provider's budget never counted as a failed attempt.
    expect(finished.every((task) => task?.attempts === 0 && task.stepClaims === undefined)).toBe(true);
  }, 180_000);
});

describe("a create's first turn at the budget", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: pacedEnvironment });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const simulatorCreates = async () =>
    ((await (await fetch(`${stack.simulator?.url}/sim/stats`)).json()) as { creates: number }).creates;

  const requestWithImage = async () =>
    createRequestSchema({ allowPrivateUrls: true }).parse({
      prompt: "A slow sunset over the sea",
      image: `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`,
    });

  it("is born with its turn taken when there is budget: recorded claimed and marked, then saved once as submitted", async () => {
    // Prepare: a clock early in a window of the future, far from its guard band.
    const windowStart = (Math.floor(Date.now() / windowMs) + 3_000) * windowMs;
    const deps: Deps = { ...stack.deps, clock: { now: () => windowStart + 100 } };

    // Act
    const createsBefore = await simulatorCreates();
    const { task } = await submitTask(deps, {
      tenant: stack.tenant,
      request: await requestWithImage(),
      source: { kind: "api" },
    });

    // Assess: version 1 the record, version 2 the submitted task: no claim or mark written between.
    expect(task).toMatchObject({ phase: "submitted", version: 2, submitAttempts: 1, attempts: 0 });
    expect(task.submitAttemptAt).toBeUndefined();
    expect(task.leaseUntil).toBeUndefined();
    expect(await stack.deps.tasks.getTask(task.id)).toEqual(task);
    expect(await simulatorCreates()).toBe(createsBefore + 1);
  });

  it("is born waiting for the next window when there is no budget, and nothing more is written", async () => {
    // Prepare: a clock in a window's guard band, where no create may go.
    const nextWindow = (Math.floor(Date.now() / windowMs) + 2_000) * windowMs;
    const deps: Deps = { ...stack.deps, clock: { now: () => nextWindow - 100 } };
    const createsBefore = await simulatorCreates();

    // Act
    const { task } = await submitTask(deps, {
      tenant: stack.tenant,
      request: await requestWithImage(),
      source: { kind: "api" },
    });

    // Assess
    expect(task).toMatchObject({ phase: "queued", version: 1, attempts: 0 });
    expect(task.nextPollAt).toBeGreaterThanOrEqual(nextWindow);
    expect(task.submitAttemptAt).toBeUndefined();
    expect(task.leaseUntil).toBeUndefined();
    expect(await stack.deps.tasks.getTask(task.id)).toEqual(task);
    expect(await simulatorCreates()).toBe(createsBefore);
  });

  it("is recorded all the same when the budget cannot be asked, due at once for the poller", async () => {
    // Prepare: a pace store that cannot answer (its table unreachable, say), asked early in a window.
    const now = (Math.floor(Date.now() / windowMs) + 4_000) * windowMs + 100;
    const deps: Deps = {
      ...stack.deps,
      clock: { now: () => now },
      upstreamPace: {
        ...stack.deps.upstreamPace,
        tryTake: () => Promise.reject(new Error("the pace store is unreachable")),
      },
    };
    const createsBefore = await simulatorCreates();

    // Act
    const { task, created } = await submitTask(deps, {
      tenant: stack.tenant,
      request: await requestWithImage(),
      source: { kind: "api" },
    });

    // Assess: recorded, queued, no create sent; due within one create's share of the window.
    expect(created).toBe(true);
    expect(await stack.deps.tasks.getTask(task.id)).toMatchObject({ phase: "queued", version: 1 });
    expect(task.nextPollAt).toBeLessThanOrEqual(now + windowMs / rpm);
    expect(await simulatorCreates()).toBe(createsBefore);
  });

  it("is not sent once its window's send-by time has passed, and goes in the next window", async () => {
    // Prepare: a clock of the test's own, in a window of the future, that jumps past the window's
    // send-by time once the budget is taken (as when recording the attempt takes that long). The
    // pace item is the test's own, so no other test's window counts here.
    const windowStart = (Math.floor(Date.now() / windowMs) + 1_000) * windowMs;
    const sendBy = windowStart + windowMs - windowMs / 10;
    let now = windowStart + 1_000;
    let jumpTo: number | undefined = sendBy + 1;
    const paceItem = uniqueName("provider");
    const store = stack.deps.upstreamPace;
    const deps: Deps = {
      ...stack.deps,
      clock: { now: () => now },
      upstreamPace: {
        async tryTake(_provider, request) {
          const answer = await store.tryTake(paceItem, request);
          if (jumpTo !== undefined) [now, jumpTo] = [jumpTo, undefined];
          return answer;
        },
        release: () => store.release(paceItem),
        slowDown: (_provider, slowdown) => store.slowDown(paceItem, slowdown),
      },
    };
    const imageKey = `inputs/${uniqueName("late")}.jpg`;
    await stack.deps.media.putObject(imageKey, await readFile(exampleImagePath), "image/jpeg");
    const task = aTask(
      { tenantId: stack.tenant.id, image: { kind: "stored", key: imageKey, contentType: "image/jpeg" } },
      now,
    );
    await stack.deps.tasks.createTask(task, stack.tenant);
    const createsBefore = await simulatorCreates();

    // Act
    const late = await advanceTask(deps, task);
    now = late?.nextPollAt ?? now;
    const sent = await advanceTask(deps, (await stack.deps.tasks.getTask(task.id)) ?? task);

    // Assess: the late create was taken back whole, and the next window's create went out.
    expect(late).toMatchObject({ phase: "queued", attempts: 0 });
    expect(late?.submitAttemptAt).toBeUndefined();
    expect(late?.submitAttempts).toBeUndefined();
    expect(late?.leaseUntil).toBeUndefined();
    expect(late?.nextPollAt).toBeGreaterThanOrEqual(windowStart + windowMs);
    expect(sent).toMatchObject({ phase: "submitted", submitAttempts: 1 });
    expect(await simulatorCreates()).toBe(createsBefore + 1);
  });
});

describe("a sweep's order of waiting tasks", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: pacedEnvironment });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("holds for the window it was made in: creates not started by its end are left due, untouched", async () => {
    // Prepare: three waiting tasks, and a clock of the test's own that passes the window's end once
    // the first create is recorded as submitted.
    const windowStart = (Math.floor(Date.now() / windowMs) + 5_000) * windowMs;
    let now = windowStart + 1_000;
    const imageKey = `inputs/${uniqueName("order")}.jpg`;
    await stack.deps.media.putObject(imageKey, await readFile(exampleImagePath), "image/jpeg");
    const tasks = [0, 1, 2].map((index) =>
      aTask(
        {
          tenantId: stack.tenant.id,
          prompt: `waiting ${index}`,
          image: { kind: "stored", key: imageKey, contentType: "image/jpeg" },
        },
        now - 100 + index,
      ),
    );
    for (const task of tasks) await stack.deps.tasks.createTask(task, stack.tenant);
    const store = stack.deps.tasks;
    const deps: Deps = {
      ...stack.deps,
      clock: { now: () => now },
      tasks: {
        ...store,
        async saveTask(task, options) {
          const saved = await store.saveTask(task, options);
          if (saved.phase === "submitted") now = windowStart + windowMs;
          return saved;
        },
      },
    };

    // Act: one create at a time.
    await sweepDueWork(deps, { limit: 10, concurrency: 1 });

    // Assess: the oldest went; the other two are as they were recorded, due for the next sweep.
    const after = await Promise.all(tasks.map((task) => stack.deps.tasks.getTask(task.id)));
    expect(after.map((task) => task?.phase)).toEqual(["submitted", "queued", "queued"]);
    expect(after.slice(1)).toEqual(tasks.slice(1));
  });
});
