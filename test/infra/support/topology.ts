import { type Environment, parseSettings } from "../../../functions/config/settings.js";
import type { BuiltFunction } from "./fake-sst-server.js";
import type { DeclaredResource, RecordedInputs } from "./pulumi-mocks.js";
import type { Synthesis } from "./synthesize.js";

/** Pulumi's marker for a secret value inside recorded inputs; SST marks anything that depends on one. */
const secretSignature = "4dabf18193072939515e22adb298388d";

/** Recorded inputs with Pulumi's secret wrappers taken off, so tests compare plain values. */
export function plain<T = RecordedInputs>(value: unknown): T {
  if (Array.isArray(value)) return value.map((item) => plain(item)) as T;
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (secretSignature in record) return plain(record.value);
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, plain(item)])) as T;
  }
  return value as T;
}

export const resourceTypes = {
  table: "aws:dynamodb/table:Table",
  bucket: "aws:s3/bucket:Bucket",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  schedule: "aws:scheduler/schedule:Schedule",
  queue: "aws:sqs/queue:Queue",
  function: "aws:lambda/function:Function",
  functionUrl: "aws:lambda/functionUrl:FunctionUrl",
  role: "aws:iam/role:Role",
  eventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  cors: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
  corsV2: "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
} as const;

export function ofType(synthesis: Synthesis, type: string): DeclaredResource[] {
  return synthesis.resources
    .filter((resource) => resource.type === type)
    .map((resource) => ({ ...resource, inputs: plain(resource.inputs) }));
}

export function theOne(synthesis: Synthesis, type: string): DeclaredResource {
  const found = ofType(synthesis, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as DeclaredResource;
}

export type IamStatement = { actions: string[]; resources: string[]; effect?: string };

/** A deployed function as the tests see it: its Lambda inputs, its role's statements, its build. */
export type DeployedFunction = {
  lambda: DeclaredResource;
  statements: IamStatement[];
  built: BuiltFunction;
  environment: Record<string, string>;
};

/** The Lambda behind a handler path such as `functions/handlers/api.handler`. */
export function functionFor(synthesis: Synthesis, handler: string): DeployedFunction {
  const built = synthesis.functions.find((candidate) => candidate.handler === handler);
  if (!built) throw new Error(`no function was built for ${handler}`);
  const lambda = theOneNamed(synthesis, resourceTypes.function, `${built.functionID}Function`);
  const role = theOneNamed(synthesis, resourceTypes.role, `${built.functionID}Role`);
  const policies = (role.inputs.inlinePolicies ?? []) as { policy: string }[];
  const statements = policies.flatMap(
    (policy) => (JSON.parse(policy.policy) as { Statement: IamStatement[] }).Statement,
  );
  return { lambda, statements, built, environment: lambda.inputs.environment?.variables ?? {} };
}

/** The handler path of the Lambda an ARN points at (mock ARNs end with the resource's name). */
export function handlerOfArn(synthesis: Synthesis, arn: string): string | undefined {
  const resourceName = arn.split("/").at(-1);
  return synthesis.functions.find((built) => `${built.functionID}Function` === resourceName)?.handler;
}

/** The SQS queue an SST `sst.aws.Queue` named `component` declared (`<component>Queue`). */
export function queueOf(synthesis: Synthesis, component: string): DeclaredResource {
  return theOneNamed(synthesis, resourceTypes.queue, `${component}Queue`);
}

/** The mock ARN of a queue as later resources see it. */
export const queueArn = (component: string) => `arn:aws:sqs:us-east-1:123456789012:${component}Queue`;

/**
 * The settings a deployed function would parse at its cold start: its environment plus what its
 * links provide (placeholders here), through the very parseSettings of functions/config.
 */
export function settingsOf(deployed: DeployedFunction): Environment {
  const linked = { TABLE_NAME: "TasksTable", BUCKET: "media-bucket", UPSTREAM_API_KEY: "linked-secret" };
  return parseSettings({ ...linked, ...deployed.environment }).environment;
}

function theOneNamed(synthesis: Synthesis, type: string, name: string): DeclaredResource {
  const found = ofType(synthesis, type).find((resource) => resource.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
}

export const handlers = {
  api: "functions/handlers/api.handler",
  poller: "functions/handlers/poller.handler",
  ingest: "functions/handlers/ingest.handler",
  notify: "functions/handlers/notify.handler",
} as const;
