/**
 * The `sessions` stream: the activity records the clicks and views
 * processors forward (`activity.ts`), run through session windows keyed by
 * user on the one windowing engine; what the fired sessions add up to per
 * device is the partition's read model, which the clickstream page shows.
 */

import type { Config } from "../../config.ts";
import type { StreamDefinition } from "../processor.ts";
import { session } from "../windowing/windows.ts";
import { byEventId } from "../dedup.ts";
import { parseActivity, type TimedActivity } from "./activity.ts";
import { SESSIONS, sessionsReadModel, type SessionState } from "./sessions.ts";

/** Topics, collection and group of the sessions stream. */
export const SESSIONS_STREAM = {
  name: "sessions",
  /** Where the clicks and views processors forward their accepted records, keyed by user. */
  topic: "clickstream.activity",
  dlqTopic: "clickstream.activity.dlq",
  liveTopic: "sessions.live",
  /** Unused: the stream stores no raw documents (the clicks and views are stored by their own streams). */
  collection: "sessions",
  group: "streamboard-sessions",
} as const;

/**
 * The sessions stream of a configuration. A replay of a clicks or views batch
 * after a crash forwards its activity records again, under the same event
 * ids (their source positions), so the stream identifies events by id: a
 * copy is dead-lettered as `duplicate` and counted once.
 */
export function sessionsStream(config: Config): StreamDefinition<TimedActivity, SessionState> {
  return {
    ...SESSIONS_STREAM,
    parse: parseActivity,
    // No aggregate cells: the stream's figures are its session windows.
    contributions: () => [],
    live: ({ activity }) => ({
      user: activity.user_id,
      kind: activity.kind,
      ts: activity.timestamp,
    }),
    dedup: byEventId(({ activity }) => activity.id, config.stores),
    windows: {
      spec: session(config.streams.sessions.gapMs, {
        outOfOrdernessMs: config.streams.outOfOrdernessMs.sessions,
        allowedLatenessMs: config.streams.allowedLatenessMs.sessions,
        idleTimeoutMs: config.processor.idleTimeoutMs,
        maxFutureMs: config.streams.maxFutureMs.sessions,
      }),
      eventTime: ({ ts }) => ts,
      timeField: "timestamp",
      aggregation: SESSIONS,
      readModel: sessionsReadModel,
    },
  };
}
