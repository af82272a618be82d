/** `GET /users?limit=&cursor=`: users newest first, a page at a time. */

import type { Handlers } from "../server/app.ts";
import { HttpError, json } from "../server/http_error.ts";
import { userForApi, USERS } from "../pipeline/users/users_stream.ts";

/** Page size when `limit` is not given, and the most a page may hold. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const handler: Handlers = {
  async GET(_req, ctx) {
    const limitText = ctx.url.searchParams.get("limit");
    const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new HttpError(
        400,
        `limit must be a whole number from 1 to ${MAX_LIMIT}, got "${limitText}"`,
      );
    }
    const cursor = ctx.url.searchParams.get("cursor") ?? undefined;
    let page;
    try {
      page = await ctx.state.raw.list(USERS.collection, { limit, cursor });
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(400, error.message);
      throw error;
    }
    return json({ users: page.items.map((d) => userForApi(d.doc)), next: page.next });
  },
};
