import { type CountingProxy, startCountingProxy } from "./counting-proxy.js";

export type ConflictInjector = CountingProxy & {
  /** Transactions answered with a conflict so far. */
  injected(): number;
};

/**
 * A proxy in front of DynamoDB Local that answers the first `conflictsPerTransaction` tries of each
 * transaction touching an item whose `pk` starts with `pkPrefix` (told apart by their first item's key) the way DynamoDB answers
 * transactions that collide on a hot item: TransactionCanceledException, reason TransactionConflict.
 * DynamoDB Local serializes transactions and never collides, so this is how the retry path runs.
 */
export async function startConflictInjector(options: {
  target: string;
  pkPrefix: string;
  conflictsPerTransaction: number;
}): Promise<ConflictInjector> {
  const triesOf = new Map<string, number>();
  let injected = 0;
  const proxy = await startCountingProxy({
    inspectBodies: true,
    answer(request, body) {
      if (!String(request.headers["x-amz-target"] ?? "").endsWith(".TransactWriteItems")) return undefined;
      const text = body.toString("utf8");
      const marker = `"${options.pkPrefix}`;
      if (!text.includes(marker)) return undefined;
      const input = JSON.parse(text) as {
        TransactItems: Record<string, { Item?: unknown; Key?: unknown }>[];
      };
      const first = Object.values(input.TransactItems[0] ?? {})[0];
      const identity = JSON.stringify(first?.Item ?? first?.Key ?? text);
      const tries = (triesOf.get(identity) ?? 0) + 1;
      triesOf.set(identity, tries);
      if (tries > options.conflictsPerTransaction) return undefined;
      injected++;
      const reasons = input.TransactItems.map((item) =>
        JSON.stringify(item).includes(marker)
          ? { Code: "TransactionConflict", Message: "Transaction is ongoing for the item" }
          : { Code: "None" },
      );
      return {
        status: 400,
        headers: { "content-type": "application/x-amz-json-1.0" },
        body: JSON.stringify({
          __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(", ")}]`,
          CancellationReasons: reasons,
        }),
      };
    },
    record() {},
  });
  proxy.setTarget(options.target);
  return { ...proxy, injected: () => injected };
}
