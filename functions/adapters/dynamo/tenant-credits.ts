import type { EndPhase } from "../../core/task/phases.js";
import type { Tenant } from "../../core/tenant.js";

type UpdateParts = {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeValues: Record<string, unknown>;
};

/**
 * The tenant item's task counts, one top-level number each (ADD treats an absent one as 0, so
 * tenants from before counts were kept need no migration).
 */
export const countAttributes = {
  inProgress: "tasksInProgress",
  completed: "tasksCompleted",
  failed: "tasksFailed",
  canceled: "tasksCanceled",
} as const;

const endCount: Record<EndPhase, string> = {
  done: countAttributes.completed,
  failed: countAttributes.failed,
  canceled: countAttributes.canceled,
};

/**
 * Charges a task's credits and counts it in progress, refusing (condition) when a budgeted tenant
 * has too few left.
 */
export function chargeUpdate(tenant: Tenant, credits: number): UpdateParts {
  const add = `ADD creditsSpent :credits, ${countAttributes.inProgress} :one`;
  const values = { ":credits": credits, ":one": 1 };
  if (tenant.creditsRemaining === undefined) {
    return {
      UpdateExpression: add,
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(creditsRemaining)",
      ExpressionAttributeValues: values,
    };
  }
  return {
    UpdateExpression: `SET creditsRemaining = creditsRemaining - :credits ${add}`,
    ConditionExpression: "creditsRemaining >= :credits",
    ExpressionAttributeValues: values,
  };
}

/**
 * A task ends in `phase`: it leaves the in-progress count for its end's, and `refundCredits` (when
 * over 0) go back to the tenant. The condition is only that the tenant exists.
 */
export function endUpdate(hasBudget: boolean, phase: EndPhase, refundCredits: number): UpdateParts {
  const values: Record<string, unknown> = { ":minusOne": -1, ":one": 1 };
  let update = `ADD ${countAttributes.inProgress} :minusOne, ${endCount[phase]} :one`;
  if (refundCredits > 0) {
    update += ", creditsSpent :negative";
    values[":negative"] = -refundCredits;
    if (hasBudget) {
      update = `SET creditsRemaining = creditsRemaining + :credits ${update}`;
      values[":credits"] = refundCredits;
    }
  }
  return {
    UpdateExpression: update,
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeValues: values,
  };
}
