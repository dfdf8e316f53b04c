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
 * no budget; then the small tenant sends 10 requests through the api while two pollers drain the
 * drop. Api and pollers share the one budget in DynamoDB.
 */
const windowMs = 5_000;
const rpm = 60;
const bigTasks = 190;
const smallTasks = 10;

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
        UPSTREAM_RPM: String(rpm),
        UPSTREAM_RPM_WINDOW_MS: String(windowMs),
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
        await sweepDueWork(poller, { limit: 100, concurrency: 8 });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });

    // Act: the small tenant's requests arrive through the api while the drop is drained.
    const schema = createRequestSchema({ allowPrivateUrls: true });
    const image = `data:image/jpeg;base64,${bytes.toString("base64")}`;
    const smallIds = await Promise.all(
      Array.from({ length: smallTasks }, async (_, index) => {
        const request = schema.parse({ prompt: `small ${index}`, image });
        return (await submitTask(stack.deps, { tenant: small, request, source: { kind: "api" } })).task.id;
      }),
    );
    const ids = [...bigIds, ...smallIds];
    const t0 = Date.now();
    const deadline = Date.now() + 150_000;
    let unfinished = ids;
    while (unfinished.length > 0 && Date.now() < deadline) {
      const tasks = await Promise.all(unfinished.map((id) => stack.deps.tasks.getTask(id)));
      unfinished = unfinished.filter((_, index) => {
        const task = tasks[index];
        return !(task && isTerminal(task.phase) && task.announced);
      });
      if (process.env.PACE_DEBUG) console.log(`DEBUG ${Date.now() - t0} ms: ${unfinished.length} unfinished`);
      await new Promise((resolve) => setTimeout(resolve, 250));
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
    if (process.env.PACE_DEBUG) {
      const creates = await upstreamCreates(stack.simulator?.dataDir ?? "");
      for (const task of finished.filter((task) => task?.tenantId === small.id)) {
        const upstream = creates.find((entry) => entry.prompt === task?.prompt);
        console.log(
          `DEBUG ${task?.prompt} recorded ${task?.createdAt} upstream ${upstream?.createdAt} attempts ${task?.attempts} ${task?.lastError}`,
        );
      }
      console.log(`DEBUG first create ${creates[0]?.createdAt} last ${creates.at(-1)?.createdAt}`);
    }
    console.log(
      `upstream pace: ${stats.creates} creates, ${stats.rateLimited} rate-limit answers; the small tenant's ` +
        `tasks went upstream at positions ${smallPositions.join(", ")} (${bigBeforeLastSmall} big ones before its last)`,
    );
    expect(stats.creates).toBe(bigTasks + smallTasks);
    expect(stats.rateLimited).toBeLessThanOrEqual(5);
    expect(smallPositions).toHaveLength(smallTasks);
    // Oldest first alone would send the small tenant's requests after the whole drop.
    expect(bigBeforeLastSmall).toBeLessThan(100);
    // Waiting for the provider's budget never counted as a failed attempt.
    expect(finished.every((task) => task?.attempts === 0 && task.stepClaims === undefined)).toBe(true);
  }, 180_000);
});
