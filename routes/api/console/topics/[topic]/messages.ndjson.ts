/** `GET /api/console/topics/<topic>/messages.ndjson`: the messages a browse shows, as an NDJSON download. */

import type { Handlers } from "../../../../../server/app.ts";
import { messagesResponse } from "../../../../../server/console_messages.ts";

export const handler: Handlers = {
  GET: (_req, ctx) => messagesResponse(ctx, true),
};
