/**
 * A value made on first use and shared by every caller: a failed make is not kept, so the next use
 * tries again. For what a cold start should not pay for (a package's evaluation, a client) when most
 * invocations never use it, and for any one-time work several callers may ask for at once.
 */
export function once<Value>(make: () => Promise<Value>): () => Promise<Value> {
  let made: Promise<Value> | undefined;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}
