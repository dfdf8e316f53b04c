/**
 * Secrets out of text that is logged or recorded (log lines, `lastError`, failure messages): the query
 * string of a signed URL (S3 presigning, CloudFront, most CDNs and token links) is the credential
 * itself, so it goes whole; so do bearer tokens and webhook secrets that an error may quote.
 */
const signedQueryParameter =
  /(^|&)(x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig|token|access_token|key-pair-id|policy|x-goog-signature|x-goog-credential|se|sv|sp|sr)=/i;
const urlWithQuery = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>?]*\?[^\s"'<>]*/gi;

export const redacted = "<redacted>";

/** `text` with the query of every signed URL in it, bearer tokens and `whsec_` secrets replaced. */
export function redactSecrets(text: string): string {
  return text
    .replace(urlWithQuery, (match) => {
      // Punctuation that ends a sentence around the URL stays; everything else of the query goes.
      const trail = /[.,;:!)\]]+$/.exec(match)?.[0] ?? "";
      const url = match.slice(0, match.length - trail.length);
      const at = url.indexOf("?");
      return signedQueryParameter.test(url.slice(at + 1)) ? `${url.slice(0, at)}?${redacted}${trail}` : match;
    })
    .replace(/\b(bearer\s+)[^\s"',;]+/gi, `$1${redacted}`)
    .replace(/\bwhsec_[A-Za-z0-9+/=]+/g, `whsec_${redacted}`);
}

/** The message of an error as it may be recorded on a task (`lastError`, `error.message`). */
export function recordableMessage(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
