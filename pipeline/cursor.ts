/** Opaque page cursors for "newest first" listings: the position of the last item shown. */

/** Where a page ended: the event time and id of its last document. */
export interface CursorPosition {
  ts: number;
  id: string;
}

/** Encodes a position as a URL-safe token. */
export function encodeCursor(position: CursorPosition): string {
  const bytes = new TextEncoder().encode(JSON.stringify([position.ts, position.id]));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/**
 * Decodes a token made by `encodeCursor`.
 *
 * @throws {RangeError} when the token was not made by this server.
 */
export function decodeCursor(token: string): CursorPosition {
  try {
    const binary = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
    const json = new TextDecoder("utf-8", { fatal: true })
      .decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const [ts, id] = JSON.parse(json);
    if (Number.isSafeInteger(ts) && typeof id === "string") return { ts, id };
  } catch {
    // falls through to the error below
  }
  throw new RangeError(`cursor "${token.slice(0, 40)}" is not one this server gave out`);
}
