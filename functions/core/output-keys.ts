/** Where things live in the bucket; shared by the use cases, the handlers and the infra filters. */
export const bucketLayout = {
  inboxPrefix: "inbox/",
  inputsPrefix: "inputs/",
  outputsPrefix: "outputs/",
  inboxErrorsPrefix: "inbox-errors/",
  uploadsPrefix: "uploads/",
  videoSuffix: ".mp4",
} as const;

export const videoKey = (taskId: string) =>
  `${bucketLayout.outputsPrefix}${taskId}${bucketLayout.videoSuffix}`;
export const inputKey = (taskId: string) => `${bucketLayout.inputsPrefix}${taskId}`;
export const statusKey = (taskId: string) => `${bucketLayout.outputsPrefix}${taskId}.json`;

/** The task id of an `outputs/<task_id>.mp4` key, or undefined for any other key. */
export function taskIdOfVideoKey(key: string): string | undefined {
  const match = /^outputs\/([^/]+)\.mp4$/.exec(key);
  return match?.[1];
}

/** Where a tenant's upload lies: under its own tenant, so an upload id is no use to another. */
export const uploadKey = (tenantId: string, uploadId: string) =>
  `${bucketLayout.uploadsPrefix}${tenantId}/${uploadId}`;
