/**
 * Narrower links than SST's defaults. A linked `sst.aws.Dynamo` grants `dynamodb:*` and a linked
 * `sst.aws.Bucket` grants `s3:*`, so any function could delete the table or rewrite the bucket's
 * policy and notifications. These wraps keep `Resource.Tasks.name` / `Resource.Media.name` and grant
 * only the data-plane actions the adapters use. Call before the components are created.
 */
export function narrowLinks() {
  sst.Linkable.wrap(sst.aws.Dynamo, (table) => ({
    properties: { name: table.name },
    include: [
      sst.aws.permission({
        // TransactWriteItems has no action of its own: IAM checks each item's Put/Update/ConditionCheck.
        actions: [
          "dynamodb:GetItem",
          "dynamodb:BatchGetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:ConditionCheckItem",
        ],
        resources: [table.arn, $interpolate`${table.arn}/index/*`],
      }),
    ],
  }));

  sst.Linkable.wrap(sst.aws.Bucket, (bucket) => ({
    properties: { name: bucket.name },
    include: [
      sst.aws.permission({
        // PutObject also covers the multipart calls of lib-storage's Upload and the target of CopyObject.
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources: [$interpolate`${bucket.arn}/*`],
      }),
      // Without ListBucket, HeadObject on a missing key answers 403 instead of 404.
      sst.aws.permission({ actions: ["s3:ListBucket"], resources: [bucket.arn] }),
    ],
  }));
}
