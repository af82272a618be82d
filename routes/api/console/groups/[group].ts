/** `GET /api/console/groups/<group>`: one consumer group (an entry per topic it reads) with its lag history; 404 when unknown. */

import type { Handlers } from "../../../../server/app.ts";
import { json } from "../../../../server/http_error.ts";
import { groupNamed } from "../../../../server/groups_data.ts";

export const handler: Handlers = {
  GET(_req, ctx) {
    return json(groupNamed(ctx.state.lag, ctx.params.group));
  },
};
