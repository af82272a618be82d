/**
 * Activity records: what the clicks and views processors forward to the
 * sessions stream, one per accepted click or view, keyed by user on one
 * internal topic, so one operator sees a user's clicks and views together
 * (Kafka Streams merges two streams keyed by a field the same way: through a
 * topic). Pure but for the broker the sink is given.
 */

import type { Broker, BrokerRecord } from "../ports.ts";
import type { AcceptedSink } from "../processor.ts";
import type { Random } from "../random.ts";
import { decodeJson, InvalidFieldError, isObject, numberAt, textAt } from "../validation.ts";
import { parseEventTime } from "../windowing/event_time.ts";
import {
  CLICKSTREAM_TEXT,
  type ClickstreamEvent,
  DEVICE_TYPES,
  type DeviceType,
  type Timed,
  USER_IDS,
} from "./events.ts";

/** The kinds of event a session is made of. */
export const ACTIVITY_KINDS = ["click", "view"] as const;

/** One of `ACTIVITY_KINDS`. */
export type ActivityKind = typeof ACTIVITY_KINDS[number];

/** A click or a view as the sessions stream receives it. */
export interface Activity {
  /**
   * The source record's position, `<topic>/<partition>/<offset>`: the same
   * for every copy a replay of the source batch forwards again.
   */
  id: string;
  user_id: number;
  /** ISO 8601 text, the source record's own. */
  timestamp: string;
  kind: ActivityKind;
  /** Views only. */
  device_type?: DeviceType;
}

/** An activity record and its event time (ms since the epoch). */
export interface TimedActivity {
  activity: Activity;
  ts: number;
}

/** Longest event id taken: a topic name (at most 249 bytes in Kafka) and two numbers. */
const ID_TEXT = { max: 300 } as const;

/** The event id of a source record: its position. */
export function activityId(record: Pick<BrokerRecord, "topic" | "partition" | "offset">): string {
  return `${record.topic}/${record.partition}/${record.offset}`;
}

/** The activity record of an accepted click or view; none for a rating. */
export function activityOf(
  record: BrokerRecord,
  { event }: Timed<ClickstreamEvent>,
): Activity | undefined {
  if (event.event_type === "rating") return undefined;
  const common = { id: activityId(record), user_id: event.user_id, timestamp: event.timestamp };
  return event.event_type === "view"
    ? { ...common, kind: "view", device_type: event.device_type }
    : { ...common, kind: "click" };
}

/**
 * Validates an activity record.
 * @throws {InvalidFieldError} naming the field for bad input
 */
export function validateActivity(value: unknown): TimedActivity {
  if (!isObject(value)) {
    throw new InvalidFieldError({
      path: "(record)",
      expected: "an activity record as a JSON object",
      got: value,
    });
  }
  const kind = value.kind;
  if (kind !== "click" && kind !== "view") {
    throw new InvalidFieldError({ path: "kind", expected: `"click" or "view"`, got: kind });
  }
  const timestamp = textAt(value, "timestamp", CLICKSTREAM_TEXT.timestamp);
  const activity: Activity = {
    id: textAt(value, "id", ID_TEXT),
    user_id: numberAt(value, "user_id", { integer: true, ...USER_IDS }),
    timestamp,
    kind,
  };
  if (kind === "view") {
    const device = textAt(value, "device_type", CLICKSTREAM_TEXT.deviceType);
    if (!(DEVICE_TYPES as readonly string[]).includes(device)) {
      throw new InvalidFieldError({
        path: "device_type",
        expected: "mobile, desktop or tablet",
        got: device,
      });
    }
    activity.device_type = device as DeviceType;
  } else if (value.device_type !== undefined) {
    throw new InvalidFieldError({
      path: "device_type",
      expected: "no device type on a click",
      got: value.device_type,
    });
  }
  return { activity, ts: parseEventTime(timestamp, "timestamp") };
}

/** Decodes and validates an activity record's bytes. */
export function parseActivity(record: BrokerRecord): TimedActivity {
  return validateActivity(decodeJson(record.value));
}

/**
 * The sink of the clicks and views streams: forwards what they accepted to
 * the activity topic, keyed by user, before their batch commits. A replay
 * forwards the same records again, with the same ids (the sessions stream
 * drops the copies, see `sessions_stream.ts`).
 */
export function activitySink(
  broker: Broker,
  topic: string,
): AcceptedSink<Timed<ClickstreamEvent>> {
  const encoder = new TextEncoder();
  return {
    name: `the activity topic ${topic}`,
    write: async (accepted) => {
      const records = accepted.flatMap(({ record, event }) => {
        const activity = activityOf(record, event);
        return activity
          ? [{
            key: String(activity.user_id),
            value: encoder.encode(JSON.stringify(activity)),
            timestamp: event.ts,
          }]
          : [];
      });
      if (records.length > 0) await broker.produce(topic, records);
    },
  };
}

/** A random activity record (`deno task produce --stream sessions`, fuzzing). */
export function generateActivity(random: Random, now: number): Activity {
  const kind = random.pick(ACTIVITY_KINDS);
  const common = {
    id: `generated/${random.hex(16)}`,
    user_id: random.int(USER_IDS.min, USER_IDS.max),
    timestamp: new Date(now).toISOString(),
  };
  return kind === "view"
    ? { ...common, kind, device_type: random.pick(DEVICE_TYPES) }
    : { ...common, kind };
}
