/**
 * `GET /api/stream/<page>[?<view>]`: a page's live snapshots as Server-Sent
 * Events (`snapshot`, `update`); with a time range or filters in the query,
 * the snapshots of that view (see `server/page_filters.ts`).
 */

import type { Handlers } from "../../../server/app.ts";
import { sseResponse } from "../../../server/sse.ts";
import { viewSseResponse } from "../../../server/view_sse.ts";
import { pageNamed } from "../../../server/pages.ts";
import { isNarrowed, parseView } from "../../../server/page_filters.ts";
import { HttpError } from "../../../server/http_error.ts";

/** Reconnect delay suggested to browsers, in ms. */
const RETRY_MS = 2000;

export const handler: Handlers = {
  GET(req, ctx) {
    const name = ctx.params.page;
    const page = pageNamed(ctx.state.pages, name);
    const hub = ctx.state.hubs.get(name);
    if (!hub) throw new Error(`page "${name}" has no live hub`);
    const view = parseView(name, ctx.url.searchParams, { allow: ["lastEventId"] });
    const timing = { retryMs: RETRY_MS, heartbeatMs: ctx.state.config.web.sseHeartbeatMs };
    if (isNarrowed(view)) {
      const readView = page.readView?.bind(page);
      if (!readView) throw new HttpError(400, `the ${name} page has no filters or time range`);
      return viewSseResponse(hub, () => readView(view), {
        ...timing,
        onClose: ctx.viewers.acquire(ctx.client.address),
      });
    }
    return sseResponse(hub, {
      lastEventId: req.headers.get("last-event-id") ?? ctx.url.searchParams.get("lastEventId"),
      ...timing,
      onClose: ctx.viewers.acquire(ctx.client.address),
    });
  },
};
