/** `GET /api/console/topics`: every topic, its partitions' low and high offsets, records in per second and retention. */

import type { Handlers } from "../../../server/app.ts";
import { json } from "../../../server/http_error.ts";
import { consoleTopics } from "../../../server/console_topics.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    return json(await consoleTopics(ctx.state.broker, ctx.state.topicRates));
  },
};
