import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import {
  ConflictError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  InternalError,
  MissingTenantError,
} from "../../core/errors.js";
import type { CreateTaskOutcome, DueItem, Idempotency, TaskStore } from "../../core/ports.js";
import { isTerminal, type PublicStatus, publicStatus } from "../../core/task/phases.js";
import type { Task } from "../../core/task/task.js";
import type { Tenant } from "../../core/tenant.js";
import { batchGetItems } from "./batch-get.js";
import type { DynamoConnection } from "./dynamo-client.js";
import {
  failedConditionIndex,
  isConditionFailure,
  translateCancellation,
  withConflictRetries,
} from "./dynamo-errors.js";
import { allDueShards, dueShard, itemKeys, taskIdOfPk } from "./item-keys.js";
import { tableShape } from "./table-definition.js";
import { listTasksOfOwner } from "./task-list.js";
import { chargeUpdate, endUpdate } from "./tenant-credits.js";

/** A phase no longer written: see fromItem. */
const legacyNotifyingPhase = "notifying";

type TaskItem = Task & {
  pk: string;
  sk: string;
  kind: "task";
  owner: string;
  /** The public status, for the owner index's filter: see tableShape.ownerIndex. */
  status: PublicStatus;
  due?: string;
};

/**
 * A task as the table holds it: on the sparse due index (a `due` shard) only while it has a
 * `nextPollAt`. Exported for loaders that write many tasks at once (the sweep benchmark's BatchWrite).
 */
export function taskItem(task: Task, dueShards: number): TaskItem {
  return {
    ...task,
    ...itemKeys.task(task.id),
    kind: "task",
    owner: task.tenantId,
    status: publicStatus(task.phase),
    ...(task.nextPollAt === undefined ? {} : { due: dueShard(task.id, dueShards) }),
  };
}

export function createDynamoTaskStore(
  connection: DynamoConnection,
  options: { dueShards: number },
): TaskStore {
  const { client, tableName } = connection;

  const toItem = (task: Task): TaskItem => taskItem(task, options.dueShards);

  const fromItem = (item: Record<string, unknown>): Task => {
    const {
      pk: _pk,
      sk: _sk,
      kind: _kind,
      owner: _owner,
      status: _status,
      due: _due,
      ...task
    } = item as TaskItem;
    // Earlier versions stored a `notifying` step between copying and done. Its video is stored, so
    // read as copying it is finished like one: the next claim finds the video and completes it.
    if ((task.phase as string) === legacyNotifyingPhase) return { ...task, phase: "copying" };
    return task as Task;
  };

  async function getTask(taskId: string): Promise<Task | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: itemKeys.task(taskId), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async function getTasks(taskIds: readonly string[]): Promise<Map<string, Task>> {
    const items = await batchGetItems(connection, taskIds.map(itemKeys.task), { consistent: true });
    const tasks = new Map<string, Task>();
    for (const item of items.values()) {
      const task = fromItem(item);
      tasks.set(task.id, task);
    }
    return tasks;
  }

  async function createTask(
    task: Task,
    tenant: Tenant,
    idempotency?: Idempotency,
  ): Promise<CreateTaskOutcome> {
    const transactItems: NonNullable<TransactWriteCommandInput["TransactItems"]> = [
      {
        Put: {
          TableName: tableName,
          Item: toItem(task),
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Update: {
          TableName: tableName,
          Key: itemKeys.tenant(tenant.id),
          ...chargeUpdate(tenant, task.credits),
        },
      },
    ];
    if (idempotency) {
      transactItems.push({
        Put: {
          TableName: tableName,
          Item: {
            ...itemKeys.idempotency(idempotency.scope),
            kind: "idempotency",
            requestHash: idempotency.requestHash,
            taskId: task.id,
            [tableShape.ttlAttribute]: Math.ceil(idempotency.expiresAt / 1000),
          },
          ConditionExpression: "attribute_not_exists(pk) OR #expiresAt < :nowSeconds",
          ExpressionAttributeNames: { "#expiresAt": tableShape.ttlAttribute },
          ExpressionAttributeValues: { ":nowSeconds": Math.floor(Date.now() / 1000) },
        },
      });
    }
    try {
      await withConflictRetries(() =>
        client.send(new TransactWriteCommand({ TransactItems: transactItems })),
      );
      return { created: true, task };
    } catch (error) {
      // Items: 0 the task, 1 the tenant's charge, 2 the idempotency scope.
      const failed = failedConditionIndex(error);
      if (idempotency && failed === 2) return replayIdempotent(idempotency);
      if (failed === 1) {
        // A concurrent twin may have claimed the scope and spent the last credits in one go; DynamoDB
        // need not name every failed condition, so the scope is read before calling it a refusal.
        const claimed = idempotency && (await findIdempotent(idempotency.scope, Date.now()));
        if (claimed) {
          if (claimed.requestHash !== idempotency.requestHash) throw new IdempotencyConflictError();
          return { created: false, existingTaskId: claimed.taskId };
        }
        throw await creditsRefusal(tenant.id, task.credits);
      }
      throw translateCancellation(error, () => new ConflictError(`task ${task.id} already exists`)) ?? error;
    }
  }

  /** Why a charge was refused, from the tenant as it is now (the caller's copy may be stale). */
  async function creditsRefusal(tenantId: string, credits: number): Promise<Error> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: itemKeys.tenant(tenantId), ConsistentRead: true }),
    );
    if (!Item) return new MissingTenantError(tenantId);
    const remaining = Item.creditsRemaining;
    return new InsufficientCreditsError(credits, typeof remaining === "number" ? remaining : null);
  }

  async function findIdempotent(scope: string, now: number) {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: itemKeys.idempotency(scope), ConsistentRead: true }),
    );
    // TTL deletes lazily: an expired record may still be there, and counts as gone.
    if (!Item || Number(Item[tableShape.ttlAttribute]) * 1000 < now) return undefined;
    return { taskId: String(Item.taskId), requestHash: String(Item.requestHash) };
  }

  async function replayIdempotent(idempotency: Idempotency): Promise<CreateTaskOutcome> {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: itemKeys.idempotency(idempotency.scope),
        ConsistentRead: true,
      }),
    );
    if (!Item) throw new ConflictError("the idempotency record vanished; retry the request");
    if (Item.requestHash !== idempotency.requestHash) throw new IdempotencyConflictError();
    return { created: false, existingTaskId: String(Item.taskId) };
  }

  async function saveTask(
    next: Task,
    saveOptions: { ending?: boolean; refund?: boolean } = {},
  ): Promise<Task> {
    const put = {
      TableName: tableName,
      Item: toItem(next),
      ConditionExpression: "#version = :expected",
      ExpressionAttributeNames: { "#version": "version" },
      ExpressionAttributeValues: { ":expected": next.version - 1 },
    };
    try {
      if (!saveOptions.ending) {
        await client.send(new PutCommand(put));
        return next;
      }
      const phase = next.phase;
      if (!isTerminal(phase)) {
        throw new InternalError(`task ${next.id} is saved as ending in phase ${phase}`);
      }
      const tenantKey = itemKeys.tenant(next.tenantId);
      // Whether the tenant has a budget decides the refund's expression; it never changes once set.
      const { Item: tenantItem } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: tenantKey,
          ProjectionExpression: "creditsRemaining, pk",
        }),
      );
      if (!tenantItem) throw new MissingTenantError(next.tenantId);
      const refund = saveOptions.refund ? next.credits : 0;
      await withConflictRetries(() =>
        client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: put },
              {
                Update: {
                  TableName: tableName,
                  Key: tenantKey,
                  ...endUpdate(tenantItem.creditsRemaining !== undefined, phase, refund),
                },
              },
            ],
          }),
        ),
      );
      return next;
    } catch (error) {
      const conflict = () => new ConflictError(`task ${next.id} changed since version ${next.version - 1}`);
      if (isConditionFailure(error)) throw conflict();
      // Items: 0 the task, 1 the tenant's counts and refund (whose condition is only that it exists).
      throw (
        translateCancellation(error, (index) =>
          index === 0 ? conflict() : new MissingTenantError(next.tenantId),
        ) ?? error
      );
    }
  }

  async function dueWork(now: number, limit: number): Promise<DueItem[]> {
    const { dueIndex } = tableShape;
    const perShard = await Promise.all(
      // A Query answers 1 MB at most: a shard's pages are followed until it has given `limit`.
      allDueShards(options.dueShards).map(async (shard) => {
        const items: Record<string, unknown>[] = [];
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: dueIndex.name,
              KeyConditionExpression: "#due = :shard AND #next <= :now",
              ExpressionAttributeNames: { "#due": dueIndex.partitionKey, "#next": dueIndex.sortKey },
              ExpressionAttributeValues: { ":shard": shard, ":now": now },
              Limit: limit - items.length,
              ExclusiveStartKey: startKey,
            }),
          );
          items.push(...(page.Items ?? []));
          startKey = page.LastEvaluatedKey;
        } while (startKey && items.length < limit);
        return items;
      }),
    );
    return perShard
      .flat()
      .sort((a, b) => Number(a.nextPollAt) - Number(b.nextPollAt))
      .slice(0, limit)
      .map((item): DueItem => {
        const taskId = taskIdOfPk(String(item.pk));
        const sk = String(item.sk);
        return sk.startsWith("DELIVERY#")
          ? { kind: "delivery", taskId, eventType: sk.slice("DELIVERY#".length) }
          : { kind: "task", taskId };
      });
  }

  return {
    createTask,
    getTask,
    getTasks,
    findIdempotent,
    saveTask,
    dueWork,
    listTasks: (tenantId, query) => listTasksOfOwner(connection, tenantId, query, fromItem),
  };
}
