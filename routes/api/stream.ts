/** `GET /api/stream`: the dashboard's live events as Server-Sent Events. */

import type { Handlers } from "../../server/app.ts";
import { sseResponse } from "../../server/sse.ts";

/** Reconnect delay suggested to browsers, in ms. */
export const RETRY_MS = 2000;

export const handler: Handlers = {
  GET(req, ctx) {
    return sseResponse(ctx.state.hub, {
      lastEventId: req.headers.get("last-event-id") ?? ctx.url.searchParams.get("lastEventId"),
      retryMs: RETRY_MS,
      heartbeatMs: ctx.state.config.sseHeartbeatMs,
      onClose: ctx.viewers.acquire(ctx.client.address),
    });
  },
};
