/** `GET /last_user`: the newest user, or 404 while there is none. */

import type { Handlers } from "../server/app.ts";
import { HttpError, json } from "../server/http_error.ts";
import { userForApi } from "../pipeline/users/users_stream.ts";
import { lastUser } from "../server/users_data.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    const latest = await lastUser(ctx.state.raw);
    if (!latest) throw new HttpError(404, "no users yet");
    return json(userForApi(latest.doc));
  },
};
