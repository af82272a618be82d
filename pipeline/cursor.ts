/** Opaque page cursors for "newest first" listings: the position of the last item shown. */

/** Where a page ended: the event time and id of its last document. */
export interface CursorPosition {
  ts: number;
  id: string;
}

/** A page cursor this server never gave out (tampered, truncated or from elsewhere); retrying never helps. */
export class UnknownCursorError extends Error {
  /** Stable code of the error. */
  readonly code = "unknown-cursor";
  /** Always false: the same token fails the same way. */
  readonly retriable = false;

  constructor(token: string) {
    super(`cursor "${token.slice(0, 40)}" is not one this server gave out`);
    this.name = "UnknownCursorError";
  }
}

/** True for the error of a cursor this server never gave out. */
export function isUnknownCursorError(error: unknown): error is UnknownCursorError {
  return error instanceof UnknownCursorError;
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
 * @throws {UnknownCursorError} when the token was not made by this server.
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
  throw new UnknownCursorError(token);
}
