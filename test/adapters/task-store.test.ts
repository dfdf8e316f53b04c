import { readFile } from "node:fs/promises";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueShard } from "../../functions/adapters/dynamo/item-keys.js";
import { taskItem } from "../../functions/adapters/dynamo/task-store.js";
import { createSeedApiProvider } from "../../functions/adapters/upstream/seed-api-provider.js";
import type { Deps } from "../../functions/core/deps.js";
import {
  ConflictError,
  IdempotencyConflictError,
  InsufficientCreditsError,
} from "../../functions/core/errors.js";
import type { Idempotency } from "../../functions/core/ports.js";
import { Phase, type PublicStatus } from "../../functions/core/task/phases.js";
import { moveTask, type Task, touchTask } from "../../functions/core/task/task.js";
import type { Tenant } from "../../functions/core/tenant.js";
import { advanceTask } from "../../functions/core/use-cases/advance-task.js";
import { type RunningSimulator, startSimulator } from "../../local/simulator/create-simulator.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { testDynamoClient } from "../support/aws-clients.js";
import { aDelivery, aTask, aTenant } from "../support/fixtures.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const hour = 3_600_000;

describe("the DynamoDB task store", () => {
  let stack: TestStack;
  let deps: Deps;

  beforeAll(async () => {
    stack = await startTestStack({ simulator: { generationMs: 300 } });
    deps = stack.deps;
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function storedTenant(creditsRemaining: number | undefined): Promise<Tenant> {
    const tenant = aTenant(creditsRemaining);
    await deps.tenants.putTenant(tenant);
    return tenant;
  }

  const idempotency = (scope: string, requestHash: string, expiresAt = Date.now() + hour): Idempotency => ({
    scope,
    requestHash,
    expiresAt,
  });

  describe("listTasks", () => {
    it("filters by public status, and judges an item written before the index carried it by its phase", async () => {
      // Prepare: a tenant's running, done and failed tasks, and a done one stored as earlier
      // versions wrote it (no `status` attribute).
      const tenant = await storedTenant(undefined);
      const [running, done, failed, older] = ["generating", "done", "failed", "done"].map((phase, index) =>
        aTask({ tenantId: tenant.id, phase: phase as Phase }, Date.UTC(2026, 0, 1, 0, index)),
      ) as [Task, Task, Task, Task];
      for (const task of [running, done, failed]) await deps.tasks.createTask(task, tenant);
      const { status: _status, ...olderItem } = taskItem(older, stack.settings.environment.DUE_SHARDS);
      await DynamoDBDocumentClient.from(testDynamoClient()).send(
        new PutCommand({ TableName: stack.tableName, Item: olderItem }),
      );
      const ids = async (status?: PublicStatus) =>
        (await deps.tasks.listTasks(tenant.id, { limit: 10, ...(status ? { status } : {}) })).tasks.map(
          (task) => task.id,
        );

      // Act, Assess: newest first.
      expect(await ids()).toEqual([older.id, failed.id, done.id, running.id]);
      expect(await ids("completed")).toEqual([older.id, done.id]);
      expect(await ids("failed")).toEqual([failed.id]);
      expect(await ids("IN_PROGRESS")).toEqual([running.id]);
    });
  });

  describe("createTask", () => {
    it("records the task and charges a budgeted tenant its credits", async () => {
      // Prepare
      const tenant = await storedTenant(100);
      const task = aTask({ tenantId: tenant.id, credits: 30 });

      // Act
      const outcome = await deps.tasks.createTask(task, tenant);

      // Assess
      expect(outcome).toEqual({ created: true, task });
      expect(await deps.tasks.getTask(task.id)).toEqual(task);
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 70,
        creditsSpent: 30,
      });
    });

    it("counts the credits a tenant without a budget spends, and gives it no budget", async () => {
      const tenant = await storedTenant(undefined);

      await deps.tasks.createTask(aTask({ tenantId: tenant.id, credits: 45 }), tenant);
      await deps.tasks.createTask(aTask({ tenantId: tenant.id, credits: 30 }), tenant);

      const stored = await deps.tenants.getTenant(tenant.id);
      expect(stored?.creditsSpent).toBe(75);
      expect(stored).not.toHaveProperty("creditsRemaining");
    });

    it("refuses with InsufficientCreditsError when the budget is short, and writes nothing", async () => {
      const tenant = await storedTenant(20);
      const task = aTask({ tenantId: tenant.id, credits: 30 });

      const attempt = deps.tasks.createTask(task, tenant);

      await expect(attempt).rejects.toBeInstanceOf(InsufficientCreditsError);
      await expect(attempt).rejects.toMatchObject({ needed: 30, remaining: 20 });
      expect(await deps.tasks.getTask(task.id)).toBeUndefined();
      expect(await deps.tenants.getTenant(tenant.id)).toEqual(tenant);
    });

    it("reports the credits really left, not those of the caller's earlier read of the tenant", async () => {
      // Prepare: the caller read the tenant at 100 credits; another request has spent 80 since.
      const earlierRead = await storedTenant(100);
      await deps.tasks.createTask(aTask({ tenantId: earlierRead.id, credits: 80 }), earlierRead);

      // Act
      const attempt = deps.tasks.createTask(aTask({ tenantId: earlierRead.id, credits: 30 }), earlierRead);

      // Assess: the 402 must not say "this task costs 30 credits and 100 remain".
      await expect(attempt).rejects.toMatchObject({
        name: "InsufficientCreditsError",
        needed: 30,
        remaining: 20,
      });
    });

    it("spends a budget down to exactly zero, then refuses", async () => {
      const tenant = await storedTenant(60);

      await deps.tasks.createTask(aTask({ tenantId: tenant.id, credits: 30 }), tenant);
      await deps.tasks.createTask(aTask({ tenantId: tenant.id, credits: 30 }), tenant);
      const third = deps.tasks.createTask(aTask({ tenantId: tenant.id, credits: 30 }), tenant);

      await expect(third).rejects.toBeInstanceOf(InsufficientCreditsError);
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 0,
        creditsSpent: 60,
      });
    });

    it("never spends more than the budget when many tasks are created at once", async () => {
      const tenant = await storedTenant(90);
      const tasks = Array.from({ length: 6 }, () => aTask({ tenantId: tenant.id, credits: 30 }));

      const outcomes = await Promise.allSettled(tasks.map((task) => deps.tasks.createTask(task, tenant)));

      const created = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const refused = outcomes.filter((outcome) => outcome.status === "rejected");
      expect(created).toHaveLength(3);
      for (const outcome of refused) expect(outcome.reason).toBeInstanceOf(InsufficientCreditsError);
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 0,
        creditsSpent: 90,
      });
    });
  });

  describe("createTask with an idempotency scope", () => {
    it("answers the first task for a replay with the same request hash, and charges once", async () => {
      // Prepare
      const tenant = await storedTenant(100);
      const first = aTask({ tenantId: tenant.id, credits: 30 });
      const replay = aTask({ tenantId: tenant.id, credits: 30 });
      const scope = `${tenant.id}:order-17`;
      await deps.tasks.createTask(first, tenant, idempotency(scope, "hash-a"));

      // Act
      const outcome = await deps.tasks.createTask(replay, tenant, idempotency(scope, "hash-a"));

      // Assess
      expect(outcome).toEqual({ created: false, existingTaskId: first.id });
      expect(await deps.tasks.getTask(replay.id)).toBeUndefined();
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 70,
        creditsSpent: 30,
      });
    });

    it("refuses the same scope with another request hash with IdempotencyConflictError", async () => {
      const tenant = await storedTenant(100);
      const scope = `${tenant.id}:order-18`;
      await deps.tasks.createTask(aTask({ tenantId: tenant.id }), tenant, idempotency(scope, "hash-a"));
      const other = aTask({ tenantId: tenant.id });

      const attempt = deps.tasks.createTask(other, tenant, idempotency(scope, "hash-b"));

      await expect(attempt).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await deps.tasks.getTask(other.id)).toBeUndefined();
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 70,
        creditsSpent: 30,
      });
    });

    it("answers a replay even when the budget has run out since", async () => {
      const tenant = await storedTenant(30);
      const first = aTask({ tenantId: tenant.id, credits: 30 });
      const scope = `${tenant.id}:order-19`;
      await deps.tasks.createTask(first, tenant, idempotency(scope, "hash-a"));

      const outcome = await deps.tasks.createTask(
        aTask({ tenantId: tenant.id, credits: 30 }),
        { ...tenant, creditsRemaining: 0 },
        idempotency(scope, "hash-a"),
      );

      expect(outcome).toEqual({ created: false, existingTaskId: first.id });
    });

    it("lets a new task take a scope whose record has expired", async () => {
      const tenant = await storedTenant(undefined);
      const scope = `${tenant.id}:order-20`;
      await deps.tasks.createTask(
        aTask({ tenantId: tenant.id }),
        tenant,
        idempotency(scope, "hash-a", Date.now() - 60_000),
      );
      const later = aTask({ tenantId: tenant.id });

      const outcome = await deps.tasks.createTask(later, tenant, idempotency(scope, "hash-b"));

      expect(outcome).toEqual({ created: true, task: later });
    });

    it("creates exactly one task when the same request races itself", async () => {
      const tenant = await storedTenant(100);
      const scope = `${tenant.id}:order-21`;
      const tasks = Array.from({ length: 4 }, () => aTask({ tenantId: tenant.id, credits: 30 }));

      const outcomes = await Promise.all(
        tasks.map((task) => deps.tasks.createTask(task, tenant, idempotency(scope, "hash-a"))),
      );

      const created = outcomes.filter((outcome) => outcome.created);
      expect(created).toHaveLength(1);
      const winner = created[0]?.created ? created[0].task.id : undefined;
      for (const outcome of outcomes) {
        if (!outcome.created) expect(outcome.existingTaskId).toBe(winner);
      }
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 70,
        creditsSpent: 30,
      });
    });
  });

  describe("getTasks", () => {
    it("reads many tasks at once, past one request's hundred keys, and leaves out ids it has not", async () => {
      // Prepare
      const tenant = await storedTenant(undefined);
      const tasks = Array.from({ length: 130 }, () => aTask({ tenantId: tenant.id }));
      for (const task of tasks) await deps.tasks.createTask(task, tenant);
      const missing = aTask().id;

      // Act
      const read = await deps.tasks.getTasks([...tasks.map((task) => task.id), missing]);

      // Assess
      expect(read.size).toBe(130);
      for (const task of tasks) expect(read.get(task.id)).toEqual(task);
      expect(read.has(missing)).toBe(false);
    });
  });

  describe("saveTask", () => {
    it("writes the next version over the one it was made from", async () => {
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id });
      await deps.tasks.createTask(task, tenant);
      const now = Date.now();
      const submitted = moveTask(
        task,
        Phase.submitted,
        { upstream: { provider: "simulator", taskId: "up-1" } },
        now,
      );

      const saved = await deps.tasks.saveTask(submitted);

      expect(saved).toEqual(submitted);
      expect(await deps.tasks.getTask(task.id)).toEqual({ ...submitted, version: 2, phase: "submitted" });
    });

    it("throws ConflictError for a write made from a stale read", async () => {
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id });
      await deps.tasks.createTask(task, tenant);
      await deps.tasks.saveTask(touchTask(task, { attempts: 1 }, Date.now()));

      const stale = deps.tasks.saveTask(touchTask(task, { attempts: 5 }, Date.now()));

      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      expect(await deps.tasks.getTask(task.id)).toMatchObject({ version: 2, attempts: 1 });
    });

    it("lets exactly one of two writers from the same read win", async () => {
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id });
      await deps.tasks.createTask(task, tenant);
      const read = await deps.tasks.getTask(task.id);
      if (!read) throw new Error("the task was not recorded");

      const [first, second] = await Promise.allSettled([
        deps.tasks.saveTask(touchTask(read, { lastError: "writer one" }, Date.now())),
        deps.tasks.saveTask(touchTask(read, { lastError: "writer two" }, Date.now())),
      ]);

      const outcomes = [first, second];
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      const loser = outcomes.find((outcome) => outcome.status === "rejected");
      expect(loser?.status === "rejected" && loser.reason).toBeInstanceOf(ConflictError);
      const winner = outcomes.find((outcome) => outcome.status === "fulfilled");
      const stored = await deps.tasks.getTask(task.id);
      expect(stored).toEqual(winner?.status === "fulfilled" ? winner.value : undefined);
    });

    it("refuses to write a task that was never created", async () => {
      const orphan = touchTask(aTask(), { attempts: 1 }, Date.now());

      await expect(deps.tasks.saveTask(orphan)).rejects.toBeInstanceOf(ConflictError);
      expect(await deps.tasks.getTask(orphan.id)).toBeUndefined();
    });

    it("with refund, gives a budgeted tenant its credits back in the same write", async () => {
      // Prepare
      const tenant = await storedTenant(100);
      const task = aTask({ tenantId: tenant.id, credits: 45 });
      await deps.tasks.createTask(task, tenant);
      const failed = moveTask(
        task,
        Phase.failed,
        { error: { code: "content_moderation", message: "no" } },
        Date.now(),
      );

      // Act
      await deps.tasks.saveTask(failed, { ending: true, refund: true });

      // Assess
      expect(await deps.tasks.getTask(task.id)).toMatchObject({ phase: "failed", version: 2 });
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 100,
        creditsSpent: 0,
      });
    });

    it("with refund, takes the credits off what a tenant without a budget has spent", async () => {
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id, credits: 45 });
      await deps.tasks.createTask(task, tenant);

      await deps.tasks.saveTask(moveTask(task, Phase.canceled, {}, Date.now()), {
        ending: true,
        refund: true,
      });

      const stored = await deps.tenants.getTenant(tenant.id);
      expect(stored?.creditsSpent).toBe(0);
      expect(stored).not.toHaveProperty("creditsRemaining");
    });

    it("with refund on a stale version, refunds nothing and throws ConflictError", async () => {
      const tenant = await storedTenant(100);
      const task = aTask({ tenantId: tenant.id, credits: 30 });
      await deps.tasks.createTask(task, tenant);
      await deps.tasks.saveTask(touchTask(task, { attempts: 1 }, Date.now()));

      const stale = deps.tasks.saveTask(moveTask(task, Phase.failed, {}, Date.now()), {
        ending: true,
        refund: true,
      });

      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 70,
        creditsSpent: 30,
      });
      expect(await deps.tasks.getTask(task.id)).toMatchObject({ phase: "queued", version: 2 });
    });

    it("counts tasks in progress at create and by their end when they end, in the same writes", async () => {
      const tenant = await storedTenant(undefined);
      const toFinish = aTask({ tenantId: tenant.id, phase: Phase.copying });
      const toFail = aTask({ tenantId: tenant.id });
      const toCancel = aTask({ tenantId: tenant.id });
      const toKeep = aTask({ tenantId: tenant.id });
      for (const task of [toFinish, toFail, toCancel, toKeep]) {
        await deps.tasks.createTask(
          task,
          (await deps.tenants.getTenant(tenant.id, { consistent: true })) ?? tenant,
        );
      }
      expect((await deps.tenants.getTenant(tenant.id, { consistent: true }))?.taskCounts).toEqual({
        inProgress: 4,
        completed: 0,
        failed: 0,
        canceled: 0,
      });

      await deps.tasks.saveTask(moveTask(toFinish, Phase.done, {}, Date.now()), { ending: true });
      await deps.tasks.saveTask(moveTask(toFail, Phase.failed, {}, Date.now()), {
        ending: true,
        refund: true,
      });
      await deps.tasks.saveTask(moveTask(toCancel, Phase.canceled, {}, Date.now()), {
        ending: true,
        refund: true,
      });

      const stored = await deps.tenants.getTenant(tenant.id, { consistent: true });
      expect(stored?.taskCounts).toEqual({ inProgress: 1, completed: 1, failed: 1, canceled: 1 });
      expect(stored?.creditsSpent).toBe(toFinish.credits + toKeep.credits);
    });

    it("refunds once when two workers fail the same task at once", async () => {
      const tenant = await storedTenant(100);
      const task = aTask({ tenantId: tenant.id, credits: 30 });
      await deps.tasks.createTask(task, tenant);

      const outcomes = await Promise.allSettled([
        deps.tasks.saveTask(moveTask(task, Phase.failed, {}, Date.now()), { ending: true, refund: true }),
        deps.tasks.saveTask(moveTask(task, Phase.failed, {}, Date.now()), { ending: true, refund: true }),
      ]);

      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      expect(await deps.tenants.getTenant(tenant.id)).toMatchObject({
        creditsRemaining: 100,
        creditsSpent: 0,
      });
    });
  });

  describe("dueWork", () => {
    // Each spec works in its own stretch of 1970, earlier than the one before, so that a query
    // `due by base + x` sees none of the items of the specs before it (nor those due around now).
    let epoch = 100_000_000;
    const freshEpoch = () => {
      epoch -= 1_000_000;
      return epoch;
    };
    const taskIds = (items: Awaited<ReturnType<Deps["tasks"]["dueWork"]>>) =>
      items.filter((item) => item.kind === "task").map((item) => item.taskId);

    it("lists a task only once its nextPollAt has come", async () => {
      const base = freshEpoch();
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id, nextPollAt: base + 1_000 });
      await deps.tasks.createTask(task, tenant);

      const early = await deps.tasks.dueWork(base + 999, 100);
      const onTime = await deps.tasks.dueWork(base + 1_000, 100);

      expect(taskIds(early)).not.toContain(task.id);
      expect(onTime).toContainEqual({ kind: "task", taskId: task.id });
    });

    it("drops a task saved without nextPollAt (finished and announced)", async () => {
      const base = freshEpoch();
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id, nextPollAt: base });
      await deps.tasks.createTask(task, tenant);
      const failed = await deps.tasks.saveTask(moveTask(task, Phase.failed, {}, base));
      expect(taskIds(await deps.tasks.dueWork(base + 10, 100))).toContain(task.id);

      await deps.tasks.saveTask(touchTask(failed, { announced: true, nextPollAt: undefined }, base));

      expect(taskIds(await deps.tasks.dueWork(Date.now() + hour, 1_000))).not.toContain(task.id);
      expect(await deps.tasks.getTask(task.id)).not.toHaveProperty("nextPollAt");
    });

    it("moves a task along the index when its nextPollAt is pushed ahead", async () => {
      const base = freshEpoch();
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id, nextPollAt: base });
      await deps.tasks.createTask(task, tenant);

      await deps.tasks.saveTask(touchTask(task, { nextPollAt: base + 5_000 }, base));

      expect(taskIds(await deps.tasks.dueWork(base + 4_999, 100))).not.toContain(task.id);
      expect(taskIds(await deps.tasks.dueWork(base + 5_000, 100))).toContain(task.id);
    });

    it("lists a webhook delivery with nextAttemptAt as delivery work, and drops it once delivered", async () => {
      const base = freshEpoch();
      const taskId = aTask().id;
      const delivery = aDelivery(taskId, { nextAttemptAt: base + 5 });
      await deps.deliveries.createDelivery(delivery);

      const due = await deps.tasks.dueWork(base + 5, 100);
      const { nextAttemptAt: _sent, ...delivered } = { ...delivery, state: "delivered" as const, version: 2 };
      await deps.deliveries.saveDelivery(delivered);
      const after = await deps.tasks.dueWork(base + 5, 100);

      expect(due).toEqual([{ kind: "delivery", taskId, eventType: "video.completed" }]);
      expect(after).toEqual([]);
    });

    it("answers at most `limit` items, the oldest first across all shards", async () => {
      // Prepare: twelve tasks due one millisecond apart, spread over the shards by their ids.
      const base = freshEpoch();
      const tenant = await storedTenant(undefined);
      const tasks = Array.from({ length: 12 }, (_, index) =>
        aTask({ tenantId: tenant.id, nextPollAt: base + index }),
      );
      await Promise.all(tasks.map((task) => deps.tasks.createTask(task, tenant)));
      const shards = new Set(tasks.map((task) => dueShard(task.id, stack.settings.environment.DUE_SHARDS)));
      expect(shards.size).toBeGreaterThan(1);

      // Act
      const firstFive = await deps.tasks.dueWork(base + 100, 5);
      const all = await deps.tasks.dueWork(base + 100, 50);

      // Assess
      expect(taskIds(firstFive)).toEqual(tasks.slice(0, 5).map((task) => task.id));
      expect(taskIds(all)).toEqual(tasks.map((task) => task.id));
    });
  });

  describe("leases, as advanceTask claims them", () => {
    /** The stack's deps with an upstream that counts the creates it sends to the simulator. */
    function depsCountingCreates(): { deps: Deps; creates: () => number } {
      let creates = 0;
      const countingFetch: typeof fetch = (input, init) => {
        if (init?.method === "POST") creates++;
        return fetch(input, init);
      };
      const upstream = createSeedApiProvider({
        name: "simulator",
        baseUrl: stack.simulator?.url ?? "",
        apiKey: "any-key",
        timeoutMs: 5_000,
        fetch: countingFetch,
      });
      return { deps: { ...deps, upstream }, creates: () => creates };
    }

    // Already staged: the upstream gets a presigned URL and reads it only after accepting the task.
    const stagedImage = { kind: "stored" as const, key: "inputs/not-read", contentType: "image/jpeg" };

    it("lets only one of two workers holding the same read submit a queued task upstream", async () => {
      // Prepare
      const { deps: counting, creates } = depsCountingCreates();
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id, image: stagedImage });
      await deps.tasks.createTask(task, tenant);
      const read = await deps.tasks.getTask(task.id);
      if (!read) throw new Error("the task was not recorded");

      // Act
      const results = await Promise.all([advanceTask(counting, read), advanceTask(counting, read)]);

      // Assess
      const advanced = results.filter((result) => result !== undefined);
      expect(advanced).toHaveLength(1);
      expect(creates()).toBe(1);
      const stored = await deps.tasks.getTask(task.id);
      expect(stored).toMatchObject({ phase: "submitted", upstream: { provider: "simulator" } });
      expect(stored?.upstream?.taskId).toMatch(/^sim_/);
      expect(stored).toEqual(advanced[0]);
    });

    it("leaves alone a task whose lease another worker still holds", async () => {
      const { deps: counting, creates } = depsCountingCreates();
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id, image: stagedImage, leaseUntil: Date.now() + 60_000 });
      await deps.tasks.createTask(task, tenant);

      const result = await advanceTask(counting, task);

      expect(result).toBeUndefined();
      expect(creates()).toBe(0);
      expect(await deps.tasks.getTask(task.id)).toEqual(task);
    });

    it("takes over a task whose lease has run out", async () => {
      const { deps: counting, creates } = depsCountingCreates();
      const tenant = await storedTenant(undefined);
      const task = aTask({ tenantId: tenant.id, image: stagedImage, leaseUntil: Date.now() - 1 });
      await deps.tasks.createTask(task, tenant);

      const result = await advanceTask(counting, task);

      expect(result).toMatchObject({ phase: "submitted" });
      expect(creates()).toBe(1);
    });
  });

  describe("poll turns, as advanceTask takes them", () => {
    /** A generation that outlasts the test, so every poll answers "running". */
    let slowSimulator: RunningSimulator;
    beforeAll(async () => {
      slowSimulator = await startSimulator({ generationMs: 600_000 });
    });
    afterAll(async () => {
      await slowSimulator?.close();
    });

    /** The stack's deps with an upstream (the slow simulator) that counts the status polls it sends. */
    function depsCountingPolls(): { deps: Deps; polls: () => number } {
      let polls = 0;
      const countingFetch: typeof fetch = (input, init) => {
        if ((init?.method ?? "GET") === "GET") polls++;
        return fetch(input, init);
      };
      const upstream = createSeedApiProvider({
        name: "simulator",
        baseUrl: slowSimulator.url,
        apiKey: "any-key",
        timeoutMs: 5_000,
        fetch: countingFetch,
      });
      return { deps: { ...deps, upstream }, polls: () => polls };
    }

    /** A stored task generating at the slow simulator, its next poll at `nextPollAt`. */
    async function generatingTask(counting: Deps, nextPollAt: number) {
      const tenant = await storedTenant(undefined);
      const stagedImage = { kind: "stored" as const, key: "inputs/not-read", contentType: "image/jpeg" };
      const { taskId } = await counting.upstream.createTask({
        model: "hailuo/2-3-image-to-video-standard",
        prompt: "A slow sunset over the sea",
        imageUrl: `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`,
        duration: "6",
        resolution: "768P",
        promptOptimizer: true,
      });
      const task = aTask({
        tenantId: tenant.id,
        image: stagedImage,
        phase: Phase.generating,
        upstream: { provider: "simulator", taskId },
        nextPollAt,
      });
      await deps.tasks.createTask(task, tenant);
      return task;
    }

    it("writes only the turn when the provider answers that the video is still generating", async () => {
      // Prepare
      const { deps: counting, polls } = depsCountingPolls();
      const task = await generatingTask(counting, Date.now() - 1);
      const before = Date.now();

      // Act
      const result = await advanceTask(counting, task);

      // Assess
      expect(polls()).toBe(1);
      expect(result).toMatchObject({ phase: "generating", version: task.version + 1, attempts: 0 });
      expect(result?.nextPollAt).toBeGreaterThanOrEqual(before + deps.settings.pollIntervalMs);
      expect(result).not.toHaveProperty("leaseUntil");
      expect(await deps.tasks.getTask(task.id)).toEqual(result);
    });

    it("lets only one of two workers holding the same read poll a due task", async () => {
      const { deps: counting, polls } = depsCountingPolls();
      const task = await generatingTask(counting, Date.now() - 1);

      const results = await Promise.all([advanceTask(counting, task), advanceTask(counting, task)]);

      expect(results.filter((result) => result !== undefined)).toHaveLength(1);
      expect(polls()).toBe(1);
      expect(await deps.tasks.getTask(task.id)).toMatchObject({ version: task.version + 1 });
    });

    it("leaves a task whose next poll is not due yet, unless a push says the video is done", async () => {
      const { deps: counting, polls } = depsCountingPolls();
      const task = await generatingTask(counting, Date.now() + hour);

      const early = await advanceTask(counting, task);
      const pushed = await advanceTask(counting, task, { pushed: true });

      expect(early).toBeUndefined();
      expect(pushed).toMatchObject({ phase: "generating", version: task.version + 1 });
      expect(polls()).toBe(1);
    });
  });
});
