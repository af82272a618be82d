/** `GET /api/stream/<sales|clicks|products>`: a page's live snapshots as Server-Sent Events. */

import type { Handlers } from "../../../server/app.ts";
import { HttpError } from "../../../server/http_error.ts";
import { sseResponse } from "../../../server/sse.ts";
import { type Dashboard, DASHBOARDS } from "../../../server/dashboards.ts";
import { RETRY_MS } from "../stream.ts";

export const handler: Handlers = {
  GET(req, ctx) {
    const dashboard = ctx.params.dashboard;
    if (!(DASHBOARDS as readonly string[]).includes(dashboard)) {
      throw new HttpError(404, `no live stream "${dashboard}"; there are ${DASHBOARDS.join(", ")}`);
    }
    return sseResponse(ctx.state.hubs[dashboard as Dashboard], {
      lastEventId: req.headers.get("last-event-id") ?? ctx.url.searchParams.get("lastEventId"),
      retryMs: RETRY_MS,
      heartbeatMs: ctx.state.config.sseHeartbeatMs,
      onClose: ctx.viewers.acquire(ctx.client.address),
    });
  },
};
