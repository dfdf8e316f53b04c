import { bucketLayout } from "../output-keys.js";

/** Stable codes of an object the drop folder refused; the message says the same in words. */
export const rejectionCodes = {
  notAnImage: "not_an_image",
  tooLarge: "image_too_large",
  invalidImage: "invalid_image",
  invalidSettings: "invalid_settings",
  insufficientCredits: "insufficient_credits",
  invalidRequest: "invalid_request",
} as const;
export type RejectionCode = (typeof rejectionCodes)[keyof typeof rejectionCodes];

export type InboxErrorReport = {
  key: string;
  etag: string;
  error: { code: RejectionCode; message: string };
  at: string;
};

/** `inbox-errors/<the object's key>.json`: beside nothing it could trigger, since it is outside inbox/. */
export const errorReportKey = (objectKey: string): string =>
  `${bucketLayout.inboxErrorsPrefix}${objectKey}.json`;
