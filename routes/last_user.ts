/** `GET /last_user`: the newest user, or 404 while there is none. */

import type { Handlers } from "../server/app.ts";
import { HttpError, json } from "../server/http_error.ts";
import { userForApi, USERS } from "../pipeline/users/users_stream.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    const latest = await ctx.state.raw.latest(USERS.collection);
    if (!latest) throw new HttpError(404, "no users yet");
    return json(userForApi(latest.doc));
  },
};
