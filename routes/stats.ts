/**
 * `GET /stats`: total users and the gender split (plus records rejected to the
 * DLQ). During a store outage it answers at once with the last figures it
 * read, marked `degraded` with the server that is down.
 */

import type { Handlers } from "../server/app.ts";
import { json } from "../server/http_error.ts";
import { userStats } from "../server/users_data.ts";
import { LastKnown } from "../server/last_known.ts";
import type { AggregateStore } from "../pipeline/ports.ts";

/** The last figures read from each store (one per app). */
const known = new WeakMap<AggregateStore, LastKnown<Awaited<ReturnType<typeof userStats>>>>();

export const handler: Handlers = {
  async GET(_req, ctx) {
    const { aggregates, now } = ctx.state;
    let stats = known.get(aggregates);
    if (!stats) {
      stats = new LastKnown(() => userStats(aggregates), { now });
      known.set(aggregates, stats);
    }
    return json(await stats.get());
  },
};
