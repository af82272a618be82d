/** Security headers on every response: what a page may load, run, embed and tell others. */

import type { MiddlewareHandler } from "hono";

/**
 * The pages' Content-Security-Policy. Scripts only from this origin (island
 * props are inline `application/json`, data that no browser runs); styles
 * from this origin, plus `style` attributes, which server-rendered bars,
 * swatches, pies and drawn avatars use for computed sizes and colours (no
 * `<style>` element or CSS file from elsewhere); user photos from any https
 * host (RandomUser serves them from its own) and `data:` images (the pages'
 * empty favicon); fetches and SSE only to this origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The headers set on every response, by name. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** Middleware adding `SECURITY_HEADERS` to every response, errors and 404s included. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      c.res.headers.set(name, value);
    }
  };
}
