/**
 * Writes only from the server's own pages (or configured origins). Browsers
 * send `Sec-Fetch-Site` and `Origin` on every cross-site POST, even one in
 * `no-cors` mode that could otherwise reach the server without a preflight;
 * a write must also declare a JSON body, which such a request cannot do.
 */

import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http_error.ts";
import { requireJsonType } from "./request_guards.ts";

/** Methods that never change anything here, so they need no check. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a cross-site write.
 *
 * @throws {HttpError} 403 naming the origin or the fetch site when neither is
 *   this server's nor one of `allowedOrigins`.
 */
export function requireSameOrigin(req: Request, allowedOrigins: readonly string[]): void {
  const own = new URL(req.url).origin;
  const origin = req.headers.get("origin");
  const allowed = origin !== null && (origin === own || allowedOrigins.includes(origin));
  if (origin !== null && !allowed) {
    throw new HttpError(
      403,
      `writes are accepted only from this server's own pages; the request came from ${origin} ` +
        `(add origins with STREAMBOARD_ALLOWED_ORIGINS)`,
    );
  }
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none" && !allowed) {
    throw new HttpError(
      403,
      `writes are accepted only from this server's own pages; the browser says the request is ${site}`,
    );
  }
}

/** Middleware applying `requireSameOrigin` and a JSON `Content-Type` to every unsafe method. */
export function crossSiteGuard(allowedOrigins: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      requireSameOrigin(c.req.raw, allowedOrigins);
      requireJsonType(c.req.raw);
    }
    await next();
  };
}
