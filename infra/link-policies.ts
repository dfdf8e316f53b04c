import { bucketLayout } from "../functions/core/output-keys";

/**
 * Narrower links than SST's defaults. A linked `sst.aws.Dynamo` grants `dynamodb:*` and a linked
 * `sst.aws.Bucket` grants `s3:*`, so any function could delete the table or rewrite the bucket's
 * policy and notifications. These wraps keep `Resource.Tasks.name` / `Resource.Media.name` and grant
 * only the data-plane actions the adapters call (functions/adapters/dynamo, functions/adapters/s3).
 * Call before the components are created.
 */
export function narrowLinks() {
  sst.Linkable.wrap(sst.aws.Dynamo, (table) => ({
    properties: { name: table.name },
    include: [
      sst.aws.permission({
        // TransactWriteItems has no action of its own: IAM checks each item's Put/Update. No
        // DeleteItem, BatchGetItem or ConditionCheckItem: no adapter calls them (TTL deletes expired
        // items without any permission of ours).
        actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        resources: [table.arn, $interpolate`${table.arn}/index/*`],
      }),
    ],
  }));

  sst.Linkable.wrap(sst.aws.Bucket, (bucket) => ({
    properties: { name: bucket.name },
    include: [
      sst.aws.permission({
        // PutObject also covers the multipart calls of lib-storage's Upload and the target of a
        // CopyObject; GetObject covers HeadObject, range reads and a copy's source. No DeleteObject:
        // a function that needs one gets it for its folders alone (deleteIn below).
        actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
        resources: [$interpolate`${bucket.arn}/*`],
      }),
      // Without ListBucket, HeadObject on a missing key answers 403 instead of 404.
      sst.aws.permission({ actions: ["s3:ListBucket"], resources: [bucket.arn] }),
    ],
  }));
}

/**
 * DeleteObject on the given folders only, for what a function really removes: submitTask (api,
 * ingest) its own copy of an input image in inputs/ when the task was not recorded after all;
 * ingest a stale inbox-errors/ report once its key made a task. Never inbox/ or outputs/.
 */
export function deleteIn(bucket: sst.aws.Bucket, ...prefixes: (keyof typeof bucketLayout)[]) {
  return {
    actions: ["s3:DeleteObject"],
    resources: prefixes.map((prefix) => $interpolate`${bucket.arn}/${bucketLayout[prefix]}*`),
  };
}
