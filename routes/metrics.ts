/**
 * `GET /metrics`: the process's metrics in Prometheus' text format, for a
 * Prometheus server to scrape.
 */

import type { Handlers } from "../server/app.ts";
import { EXPOSITION_CONTENT_TYPE } from "../server/metrics/exposition.ts";

export const handler: Handlers = {
  GET: async (_req, ctx) =>
    new Response(await ctx.state.metrics.render(), {
      headers: { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" },
    }),
};
