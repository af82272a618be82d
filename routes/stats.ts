/** `GET /stats`: total users and the gender split (plus records rejected to the DLQ). */

import type { Handlers } from "../server/app.ts";
import { json } from "../server/http_error.ts";
import { userStats } from "../server/users_data.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    return json(await userStats(ctx.state.aggregates));
  },
};
