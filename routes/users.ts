/** `GET /users?limit=&cursor=`: users newest first, a page at a time. */

import type { Handlers } from "../server/app.ts";
import { HttpError, json } from "../server/http_error.ts";
import { queryInt } from "../server/query_int.ts";
import { userForApi, USERS } from "../pipeline/users/users_stream.ts";
import { isUnknownCursorError } from "../pipeline/cursor.ts";
import { newestUserPage } from "../server/users_data.ts";

/** Page size when `limit` is not given, and the most a page may hold. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const handler: Handlers = {
  async GET(_req, ctx) {
    const limit = queryInt(ctx.url.searchParams, "limit", {
      min: 1,
      max: MAX_LIMIT,
      fallback: DEFAULT_LIMIT,
    });
    const cursors = ctx.url.searchParams.getAll("cursor");
    if (cursors.length > 1) throw new HttpError(400, "cursor may be given once");
    const cursor = cursors[0];
    let page;
    try {
      page = cursor === undefined
        ? await newestUserPage(ctx.state.raw, limit)
        : await ctx.state.raw.list(USERS.collection, { limit, cursor });
    } catch (error) {
      if (isUnknownCursorError(error)) throw new HttpError(400, error.message);
      throw error;
    }
    return json({ users: page.items.map((d) => userForApi(d.doc)), next: page.next });
  },
};
