/**
 * `GET /api/console/topics/<topic>/tail`: a live tail of a topic as
 * Server-Sent Events (`snapshot`, then `message` per new matching record),
 * with `partition`, `limit` and `filter` as a browse of the newest takes them.
 */

import type { Handlers } from "../../../../../server/app.ts";
import { topicTailResponse } from "../../../../../server/topic_tail.ts";

export const handler: Handlers = {
  GET: (_req, ctx) => topicTailResponse(ctx),
};
