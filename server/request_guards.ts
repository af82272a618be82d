/** Checks at the edge: the write token and bounded JSON bodies. */

import { HttpError } from "./http_error.ts";

/**
 * Requires `Authorization: Bearer <token>` when a write token is configured.
 *
 * @throws {HttpError} 401 when the header is missing or wrong.
 */
export function requireWriteToken(req: Request, token: string | undefined): void {
  if (token === undefined) return;
  const given = req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
  if (!constantTimeEqual(given, token)) {
    throw new HttpError(
      401,
      "this endpoint needs the header `Authorization: Bearer <STREAMBOARD_WRITE_TOKEN>`",
      {
        "www-authenticate": 'Bearer realm="streamboard"',
      },
    );
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** A JSON body: what it parses to and the bytes it arrived as. */
export interface JsonBody {
  value: unknown;
  bytes: Uint8Array;
}

/**
 * Reads a JSON body of at most `maxBytes`, counting what actually arrives
 * (a missing or false `Content-Length` does not get past the limit).
 *
 * @throws {HttpError} 413 when larger, 415 when not JSON by type, 400 when not parseable.
 */
export async function readJsonBody(req: Request, maxBytes: number): Promise<JsonBody> {
  const type = req.headers.get("content-type") ?? "";
  if (type !== "" && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpError(415, `send the body as application/json, got ${type}`);
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    for await (const chunk of req.body) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "the body is not valid UTF-8");
  }
  if (text.trim() === "") {
    throw new HttpError(400, "the body is empty; send a JSON RandomUser record");
  }
  try {
    return { value: JSON.parse(text), bytes };
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `the body is larger than ${maxBytes / 1024} KiB`);
}
