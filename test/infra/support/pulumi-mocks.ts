import { requireFromPlatform } from "./platform.js";

/** Inputs as recorded: untyped JSON, each test reads the few fields it asserts. */
// biome-ignore lint/suspicious/noExplicitAny: Pulumi hands the mocks plain JSON of any resource type.
export type RecordedInputs = Record<string, any>;

/** A resource as the program declared it: Pulumi type, logical name, inputs. */
export type DeclaredResource = { type: string; name: string; inputs: RecordedInputs };

/** When the program last did something, and how many builds are still running. */
export type Activity = { last: number; pending: number };

type MockResourceArgs = { type: string; name: string; inputs: RecordedInputs };
type MockCallArgs = { token: string; inputs: RecordedInputs };
type Pulumi = {
  runtime: {
    setMocks(
      mocks: {
        newResource(args: MockResourceArgs): { id: string; state: Record<string, unknown> };
        call(args: MockCallArgs): Record<string, unknown>;
      },
      project: string,
      stack: string,
      preview: boolean,
    ): Promise<void>;
    getMonitor(): unknown;
    /** What the CLI's language host does: the program runs inside the root Stack resource. */
    runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
  };
  all(values: unknown[]): { apply<T>(callback: (values: unknown[]) => T): unknown };
};

export const pulumi = requireFromPlatform("@pulumi/pulumi") as Pulumi;

const account = "123456789012";
const region = "us-east-1";

/** What AWS would fill in after a create, where later resources read it (ARNs, names, URLs). */
function providerState(args: MockResourceArgs): Record<string, unknown> {
  const arn = `arn:aws:mock:${region}:${account}:${args.type}/${args.name}`;
  switch (args.type) {
    case "aws:s3/bucketV2:BucketV2":
    case "aws:s3/bucket:Bucket":
      return {
        arn: `arn:aws:s3:::${args.name.toLowerCase()}-bucket`,
        bucket: `${args.name.toLowerCase()}-bucket`,
      };
    case "aws:dynamodb/table:Table":
      return {
        arn: `arn:aws:dynamodb:${region}:${account}:table/${args.name}`,
        name: args.inputs.name ?? args.name,
      };
    case "aws:lambda/function:Function":
      return { arn, name: args.inputs.name ?? args.name, invokeArn: `${arn}/invocations` };
    case "aws:lambda/functionUrl:FunctionUrl":
      return { functionUrl: `https://${args.name.toLowerCase()}.lambda-url.${region}.on.aws/` };
    case "aws:sqs/queue:Queue":
      return {
        arn: `arn:aws:sqs:${region}:${account}:${args.name}`,
        url: `https://sqs.example/${args.name}`,
      };
    case "random:index/randomBytes:RandomBytes":
      return { base64: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", hex: "00" };
    default:
      return { arn };
  }
}

/**
 * Records every resource the program declares instead of creating it. Components register some
 * resources inside `apply` callbacks, so callers wait for registrations to go quiet (see lastActivity).
 */
export async function installMocks(project: string, stack: string) {
  const declared: DeclaredResource[] = [];
  const activity: Activity = { last: Date.now(), pending: 0 };
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        activity.last = Date.now();
        declared.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...providerState(args) } };
      },
      call(args) {
        activity.last = Date.now();
        switch (args.token) {
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
          case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region };
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
              accountId: account,
              arn: `arn:aws:iam::${account}:user/test`,
              userId: "test",
              id: account,
            };
          case "aws:iam/getPolicyDocument:getPolicyDocument":
            // Echo the statements so the role's policy JSON shows what the links granted.
            return {
              ...args.inputs,
              json: JSON.stringify({ Statement: args.inputs.statements ?? [] }),
              id: "doc",
            };
          default:
            return args.inputs;
        }
      },
    },
    project,
    stack,
    false,
  );
  nameChildrenOfTheStackAsTheEngineDoes();
  return { declared, activity };
}

type MockMonitor = { newUrn(parent: string | undefined, type: string, name: string): string };

/**
 * The engine leaves the root stack out of a resource's type chain (`…::sst:aws:Dynamo::Tasks`);
 * Pulumi's mock monitor prefixes it (`pulumi:pulumi:Stack$sst:aws:Dynamo`), and SST derives link
 * types (`Resource.Tasks.type`) from that chain. Programs run inside the stack (so that stack
 * transformations, SST's `$transform`, work), hence this one correction to the mock.
 */
function nameChildrenOfTheStackAsTheEngineDoes() {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  const newUrn = monitor.newUrn.bind(monitor);
  monitor.newUrn = (parent, type, name) =>
    newUrn(parent?.split("::")[2] === rootStackType ? undefined : parent, type, name);
}

const rootStackType = "pulumi:pulumi:Stack";
