/**
 * Whether `value` could be a task id. Ours are lower-case ULIDs; the check is looser (letters,
 * digits, `-`, `_`, at most 64) so that only values that cannot exist are turned away unread.
 */
export function isTaskId(value: string): boolean {
  return /^[0-9A-Za-z_-]{1,64}$/.test(value);
}
