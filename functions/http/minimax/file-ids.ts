/**
 * MiniMax names files by digits. Our task ids are ULIDs (26 characters of Crockford base32), so a
 * task's file id is its ULID read as one number in decimal: no extra item to store or look up, and
 * the way back is exact. Answered as a string, as MiniMax's clients read it.
 */
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

export function fileIdOfTask(taskId: string): string | undefined {
  let value = 0n;
  for (const character of taskId.toLowerCase()) {
    const digit = alphabet.indexOf(character);
    if (digit < 0) return undefined;
    value = value * 32n + BigInt(digit);
  }
  return value.toString(10);
}

export function taskIdOfFile(fileId: string): string | undefined {
  if (!/^\d{1,40}$/.test(fileId)) return undefined;
  let value = BigInt(fileId);
  let taskId = "";
  for (let index = 0; index < 26; index++) {
    taskId = `${alphabet[Number(value % 32n)]}${taskId}`;
    value /= 32n;
  }
  return value === 0n ? taskId : undefined;
}
