/**
 * `GET /readyz`: 200 when every partition runs and the broker and stores
 * answer; 503 otherwise, the body naming each stopped partition and why, each
 * failed processor and each dependency that did not answer.
 */

import type { Handlers } from "../server/app.ts";
import { json } from "../server/http_error.ts";

export const handler: Handlers = {
  GET: async (_req, ctx) => {
    const readiness = await ctx.state.health.readiness();
    return json(readiness, readiness.ready ? 200 : 503, { "cache-control": "no-store" });
  },
};
