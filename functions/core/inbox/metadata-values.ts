/**
 * S3 returns a metadata value that held non-ASCII characters as RFC 2047 encoded words
 * (`=?UTF-8?B?…?=` or `=?UTF-8?Q?…?=`); this gives the text back. Plain values pass unchanged.
 */
export function decodeMetadataValue(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
    (word, charset: string, encoding: string, text: string) => {
      if (!/^utf-?8$/i.test(charset)) return word;
      const bytes =
        encoding.toUpperCase() === "B"
          ? Buffer.from(text, "base64")
          : Buffer.from(
              text
                .replace(/_/g, " ")
                .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) =>
                  String.fromCharCode(Number.parseInt(hex, 16)),
                ),
              "latin1",
            );
      return bytes.toString("utf-8");
    },
  );
}
