/**
 * `GET /api/pages/<page>[?<view>]`: a page's current snapshot as JSON, the one
 * its SSE `snapshot` carries; narrowed to the time range and filters the query
 * states (see `server/page_filters.ts`), 400 when they are malformed.
 */

import type { Handlers } from "../../../server/app.ts";
import { json } from "../../../server/http_error.ts";
import { readPageView } from "../../../server/pages.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    return json(await readPageView(ctx.state.pages, ctx.params.page, ctx.url.searchParams));
  },
};
