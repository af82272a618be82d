/** Checks at the edge: the write token, the JSON type and bounded, timely JSON bodies. */

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

/** True for `application/json` and `application/<something>+json`, with or without parameters. */
export function isJsonType(type: string | null): boolean {
  return type !== null && /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type);
}

/**
 * Requires a JSON `Content-Type`. A browser can send a cross-site request
 * without a CORS preflight only as a form or `text/plain` (or with no type at
 * all), so requiring JSON keeps those out.
 *
 * @throws {HttpError} 415 when the type is missing or not JSON.
 */
export function requireJsonType(req: Request): void {
  const type = req.headers.get("content-type");
  if (!isJsonType(type)) {
    throw new HttpError(
      415,
      type === null
        ? "send the body with `Content-Type: application/json`; the request had no Content-Type"
        : `send the body as application/json, got ${type}`,
    );
  }
}

/** Ends the connection after a refusal that leaves part of the body unread, rather than reading on. */
const CLOSE = { connection: "close" };

/** Limits of a request body. */
export interface BodyLimits {
  /** Largest body, in bytes. */
  maxBytes: number;
  /** Longest time the whole body may take to arrive, in ms. */
  timeoutMs: number;
}

/**
 * Reads a JSON body of at most `maxBytes` within `timeoutMs`, counting what
 * actually arrives (a missing or false `Content-Length` does not get past the
 * limit).
 *
 * @throws {HttpError} 413 when larger, 415 when not JSON by type, 408 when it
 *   does not arrive in time, 400 when cut off or not parseable.
 */
export async function readJsonBody(req: Request, limits: BodyLimits): Promise<JsonBody> {
  requireJsonType(req);
  const { maxBytes } = limits;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readBytes(req, limits);
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

/** The body's bytes, within the limits; a failed read means the client stopped sending it. */
async function readBytes(req: Request, { maxBytes, timeoutMs }: BodyLimits): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((
    resolve,
  ) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
  try {
    for (;;) {
      const read = await Promise.race([
        reader.read().catch(() => ({ failed: true as const })),
        late,
      ]);
      if (read === "late") {
        throw new HttpError(408, `the body did not arrive within ${timeoutMs / 1000} s`, CLOSE);
      }
      if ("failed" in read) {
        throw new HttpError(400, "the body was cut off before its end (the client went away?)");
      }
      if (read.done) break;
      size += read.value.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(read.value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `the body is larger than ${maxBytes / 1024} KiB`, CLOSE);
}
