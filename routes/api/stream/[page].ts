/** `GET /api/stream/<page>`: a page's live snapshots as Server-Sent Events (`snapshot`, `update`). */

import type { Handlers } from "../../../server/app.ts";
import { sseResponse } from "../../../server/sse.ts";
import { pageNamed } from "../../../server/pages.ts";

/** Reconnect delay suggested to browsers, in ms. */
const RETRY_MS = 2000;

export const handler: Handlers = {
  GET(req, ctx) {
    const name = ctx.params.page;
    pageNamed(ctx.state.pages, name);
    const hub = ctx.state.hubs.get(name);
    if (!hub) throw new Error(`page "${name}" has no live hub`);
    return sseResponse(hub, {
      lastEventId: req.headers.get("last-event-id") ?? ctx.url.searchParams.get("lastEventId"),
      retryMs: RETRY_MS,
      heartbeatMs: ctx.state.config.web.sseHeartbeatMs,
      onClose: ctx.viewers.acquire(ctx.client.address),
    });
  },
};
