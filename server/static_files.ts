/**
 * Serves files under `static/` with content types and ETags, and nothing
 * outside it: the path is decoded exactly once, any shape that could mean
 * something else after a second decoding or on another platform is refused
 * before the file system is asked, and the real path (symlinks resolved) must
 * still lie inside the real folder.
 */

import { HttpError } from "./http_error.ts";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  png: "image/png",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
};

/**
 * Encoded `/`, `\`, `%` (a second layer of encoding) and NUL: a path holding
 * one means something else to whatever decodes it next, so it is refused.
 */
const ENCODED_SEPARATOR = /%(2f|5c|25|00)/i;

/**
 * Decodes a URL path's percent-escapes once, as UTF-8.
 *
 * @throws {HttpError} 400 for a `%` not followed by two hex digits, or bytes
 *   that are not UTF-8 (overlong forms such as `%c0%ae` included).
 */
export function decodePath(pathname: string): string {
  const encoder = new TextEncoder();
  const [head, ...escaped] = pathname.split("%");
  const bytes: number[] = [...encoder.encode(head)];
  for (const part of escaped) {
    const hex = part.slice(0, 2);
    if (!/^[0-9a-f]{2}$/i.test(hex)) {
      throw new HttpError(400, `the path has a malformed escape at "%${hex}"`);
    }
    bytes.push(parseInt(hex, 16), ...encoder.encode(part.slice(2)));
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new HttpError(400, "the path's escapes do not decode to UTF-8");
  }
}

/**
 * The file path, relative to the static folder, that a request path names.
 *
 * @throws {HttpError} 400 for malformed escapes, encoded separators, double
 *   encoding, backslashes, control characters and `.`/`..` segments; 404 for
 *   hidden names (a segment starting with `.`).
 */
export function staticPath(pathname: string): string {
  if (ENCODED_SEPARATOR.test(pathname)) {
    throw new HttpError(400, "the path holds an encoded separator, NUL or percent sign");
  }
  const path = decodePath(pathname);
  // deno-lint-ignore no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(path)) {
    throw new HttpError(400, "the path holds a backslash or a control character");
  }
  const segments = path.split("/").slice(1);
  if (segments.some((s) => s === "." || s === "..")) {
    throw new HttpError(400, "the path may not hold `.` or `..` segments");
  }
  if (!path.startsWith("/") || segments.some((s) => s === "" || s.startsWith("."))) {
    throw notFound(path);
  }
  return segments.join("/");
}

/** Serves GET and HEAD requests for files under one folder. */
export class StaticFiles {
  readonly #root: string;
  #realRoot: Promise<string> | undefined;

  /** `root` is the folder, as a `file:` URL. */
  constructor(root: URL) {
    this.#root = root.pathname.replace(/\/$/, "");
  }

  /** Answers a GET or HEAD for a file under the folder. */
  async serve(req: Request): Promise<Response> {
    const relative = staticPath(new URL(req.url).pathname);
    const realRoot = await (this.#realRoot ??= Deno.realPath(this.#root));
    let real: string;
    let info: Deno.FileInfo;
    try {
      real = await Deno.realPath(`${this.#root}/${relative}`);
      info = await Deno.stat(real);
    } catch {
      throw notFound(`/${relative}`);
    }
    if (!real.startsWith(`${realRoot}/`) || !info.isFile) throw notFound(`/${relative}`);
    const etag = `"${info.size.toString(36)}-${(info.mtime?.getTime() ?? 0).toString(36)}"`;
    const headers = {
      "content-type": TYPES[relative.split(".").pop() ?? ""] ?? "application/octet-stream",
      etag,
      "cache-control": "no-cache",
    };
    if (req.headers.get("if-none-match") === etag) {
      return new Response(null, { status: 304, headers });
    }
    const body = req.method === "HEAD" ? null : (await Deno.open(real)).readable;
    return new Response(body, { headers: { ...headers, "content-length": String(info.size) } });
  }
}

function notFound(path: string): HttpError {
  return new HttpError(404, `no route or file for ${JSON.stringify(path).slice(1, -1)}`);
}
