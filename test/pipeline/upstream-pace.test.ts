import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import { newWebhookSecret } from "../../functions/core/api-keys.js";
import { createRequestSchema } from "../../functions/core/create-request.js";
import type { Deps } from "../../functions/core/deps.js";
import type { Tenant } from "../../functions/core/tenant.js";
import { sweepDueWork } from "../../functions/core/use-cases/run-poller.js";
import { submitTask } from "../../functions/core/use-cases/submit-task.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import { uniqueName } from "../support/aws-clients.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

/**
 * The provider's pace against the simulator's own limit (SIM_RPM): 60 creates a window, the window
 * shortened to 5 s with UPSTREAM_RPM scaled to match, so 200 tasks take four windows. The big
 * tenant drops 190 images at once, then the small tenant sends 10; two pollers share the budget
 * with the api's inline creates through DynamoDB.
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
        UPSTREAM_POLL_INTERVAL_MS: "1000",
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
    // Prepare
    const image = `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`;
    const schema = createRequestSchema({ allowPrivateUrls: true });
    const create = (tenant: Tenant, prompt: string) =>
      submitTask(stack.deps, { tenant, request: schema.parse({ prompt, image }), source: { kind: "api" } });
    const drop = pLimit(4);
    const t0 = Date.now();

    // Act: the drop, then the single requests, each create tried upstream at once (the api's inline try).
    const bigIds = await Promise.all(
      Array.from({ length: bigTasks }, (_, index) =>
        drop(async () => (await create(stack.tenant, `big ${index}`)).task.id),
      ),
    );
    const smallArrivedAt = new Date().toISOString();
    console.log(`DEBUG created big in ${Date.now() - t0} ms`);
    const smallIds: string[] = [];
    for (let index = 0; index < smallTasks; index++) {
      smallIds.push((await create(small, `small ${index}`)).task.id);
    }
    const pollers: Deps[] = [0, 1].map(() =>
      buildDeps(stack.settings, { serviceName: "poller", logger: stack.deps.logger }),
    );
    const ids = [...bigIds, ...smallIds];
    const deadline = Date.now() + 150_000;
    let unfinished = ids;
    let lastLine = 0;
    while (unfinished.length > 0 && Date.now() < deadline) {
      await Promise.all(pollers.map((poller) => sweepDueWork(poller, { limit: 100, concurrency: 8 })));
      const tasks = await Promise.all(unfinished.map((id) => stack.deps.tasks.getTask(id)));
      if (Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        const phases: Record<string, number> = {};
        for (const task of tasks) phases[task?.phase ?? "?"] = (phases[task?.phase ?? "?"] ?? 0) + 1;
        const simStats = await (await fetch(`${stack.simulator?.url}/sim/stats`)).json();
        console.log(
          `DEBUG ${Date.now() - t0} ms ${JSON.stringify(phases)} ${JSON.stringify(simStats)} ${tasks[0]?.lastError}`,
        );
      }
      unfinished = unfinished.filter(
        (_, index) => !(tasks[index]?.phase === "done" && tasks[index]?.announced),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Assess
    const finished = await Promise.all(ids.map((id) => stack.deps.tasks.getTask(id)));
    expect(
      finished.filter((task) => task?.phase !== "done").map((task) => [task?.id, task?.phase, task?.error]),
    ).toEqual([]);
    const stats = (await (await fetch(`${stack.simulator?.url}/sim/stats`)).json()) as {
      creates: number;
      rateLimited: number;
    };
    const creates = await upstreamCreates(stack.simulator?.dataDir ?? "");
    const order = creates.map((entry) => entry.prompt);
    const smallPositions = order.flatMap((prompt, position) =>
      prompt.startsWith("small") ? [position] : [],
    );
    const lastSmall = smallPositions.at(-1) ?? order.length;
    const bigBeforeLastSmall = order.slice(0, lastSmall).filter((prompt) => prompt.startsWith("big")).length;
    // Big tasks sent upstream after the small tenant's first request was recorded, before its last was sent.
    const bigJumpingTheQueue = creates
      .slice(0, lastSmall)
      .filter((entry) => entry.prompt.startsWith("big") && entry.createdAt >= smallArrivedAt).length;
    console.log(
      `upstream pace: ${stats.creates} creates, ${stats.rateLimited} rate-limit answers; the small tenant's tasks went ` +
        `upstream at positions ${smallPositions.join(", ")} (big tasks before its last: ${bigBeforeLastSmall}, ` +
        `of which after it arrived: ${bigJumpingTheQueue})`,
    );
    expect(stats.creates).toBe(bigTasks + smallTasks);
    expect(stats.rateLimited).toBeLessThanOrEqual(5);
    expect(smallPositions).toHaveLength(smallTasks);
    // Round-robin: once the small tenant waits, it gets every other turn, not the turn after 190 - n big ones.
    expect(bigJumpingTheQueue).toBeLessThanOrEqual(2 * smallTasks);
    expect(finished.every((task) => (task?.attempts ?? 0) === 0 && task?.stepClaims === undefined)).toBe(
      true,
    );
  }, 180_000);
});
