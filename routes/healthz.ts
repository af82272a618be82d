/**
 * `GET /healthz`: 200 while the process lives; the body says "ok", or
 * "degraded" once processing errors cost records or a partition stopped,
 * with the processing-error counts per partition.
 */

import type { Handlers } from "../server/app.ts";
import { json } from "../server/http_error.ts";

export const handler: Handlers = {
  GET: (_req, ctx) => json(ctx.state.health.health(), 200, { "cache-control": "no-store" }),
};
