/**
 * `GET /api/console/groups[?history=1]`: every consumer group, one entry per
 * topic it reads, with lag in records and seconds per partition and Burrow's
 * status; with `history=1` also each one's lag over the last hour.
 */

import type { Handlers } from "../../../../server/app.ts";
import { HttpError, json } from "../../../../server/http_error.ts";
import { groupsView } from "../../../../server/groups_data.ts";

export const handler: Handlers = {
  GET(_req, ctx) {
    const history = ctx.url.searchParams.get("history");
    if (history !== null && history !== "0" && history !== "1") {
      throw new HttpError(400, `history must be 0 or 1, got "${history}"`);
    }
    return json(groupsView(ctx.state.lag, history === "1"));
  },
};
