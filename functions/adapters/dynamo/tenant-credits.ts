import type { Tenant } from "../../core/tenant.js";

type UpdateParts = {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeValues: Record<string, unknown>;
};

/** Charges a task's credits, refusing (condition) when a budgeted tenant has too few left. */
export function chargeUpdate(tenant: Tenant, credits: number): UpdateParts {
  if (tenant.creditsRemaining === undefined) {
    return {
      UpdateExpression: "ADD creditsSpent :credits",
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(creditsRemaining)",
      ExpressionAttributeValues: { ":credits": credits },
    };
  }
  return {
    UpdateExpression: "SET creditsRemaining = creditsRemaining - :credits ADD creditsSpent :credits",
    ConditionExpression: "creditsRemaining >= :credits",
    ExpressionAttributeValues: { ":credits": credits },
  };
}

export function refundUpdate(hasBudget: boolean, credits: number): UpdateParts {
  return {
    UpdateExpression: hasBudget
      ? "SET creditsRemaining = creditsRemaining + :credits ADD creditsSpent :negative"
      : "ADD creditsSpent :negative",
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeValues: hasBudget
      ? { ":credits": credits, ":negative": -credits }
      : { ":negative": -credits },
  };
}
