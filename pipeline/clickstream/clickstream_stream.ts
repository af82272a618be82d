/**
 * The clickstream's three streams (`clicks`, `views`, `ratings`): each
 * counts events in all, per item, per device (views) and sums ratings per
 * item (all-time cells); events run through ten-second hopping windows
 * sliding every second, counted per second, whose final counts give the
 * dashboard its events per second and its rate line.
 */

import type { Config } from "../../config.ts";
import type { AggregateRow, AggregateStore, Broker, BrokerRecord } from "../ports.ts";
import type { AcceptedSink, CellContribution, StreamDefinition } from "../processor.ts";
import { decodeJson } from "../validation.ts";
import { type Aggregation, hopping, type WindowResult } from "../windowing/windows.ts";
import { type ClickstreamEvent, type ClickstreamTopic, type Timed, VALIDATE } from "./events.ts";
import { activitySink } from "./activity.ts";
import { SESSIONS_STREAM } from "./sessions_stream.ts";

/** Length of a rate window, ms. */
export const RATE_WINDOW_MS = 10_000;
/** Distance between rate windows, ms. */
export const RATE_SLIDE_MS = 1_000;
/** Dimension of the final event count of each rate window. */
export const RATE_DIMENSION = "rate_window";
/** Dimension of the event count of each second (the page's rate line). */
export const SECOND_DIMENSION = "events";
/** Seconds in a rate window: a window's counts are kept per second. */
const SLOTS = RATE_WINDOW_MS / RATE_SLIDE_MS;
/** How long per-second counts and rate windows are kept (the page shows the last minute). */
export const RECENT_KEEP_MS = 10 * 60_000;

/** Topic, topics and group names of one clickstream stream. */
export function clickstreamNames(topic: ClickstreamTopic) {
  return {
    name: topic,
    topic,
    dlqTopic: `${topic}.dlq`,
    liveTopic: `${topic}.live`,
    collection: topic,
    group: `streamboard-${topic}`,
  } as const;
}

/** Id of a stored clickstream event: its source position (the records carry no id). */
export function clickstreamDocumentId(record: BrokerRecord): string {
  return `${record.partition}-${String(record.offset).padStart(15, "0")}`;
}

/** What an event counts into. */
export function clickstreamContributions(event: ClickstreamEvent): CellContribution[] {
  const item = String(event.item_id);
  const cells: CellContribution[] = [
    { dimension: "count", key: "all", amount: 1 },
  ];
  switch (event.event_type) {
    case "click":
      cells.push({ dimension: "item", key: item, amount: 1 });
      break;
    case "view":
      cells.push(
        { dimension: "item", key: item, amount: 1 },
        { dimension: "device", key: event.device_type, amount: 1 },
      );
      break;
    case "rating":
      cells.push(
        { dimension: "item", key: item, amount: 1 },
        { dimension: "rating_sum", key: item, amount: event.rating },
      );
      break;
  }
  return cells;
}

/**
 * A rate window's counts, one per second of the window, in slot
 * `secondSlot(ts)`. A number in a checkpoint saved before seconds were kept
 * apart: the window's count, its seconds unknown.
 */
export type RateCounts = number[] | number;

/** The slot of a rate window's counts that the second holding `ts` counts into. */
export function secondSlot(ts: number): number {
  return Math.floor(ts / RATE_SLIDE_MS) % SLOTS;
}

/** How events fold into a rate window: counted per second. */
export const RATE_COUNTS: Aggregation<Timed<ClickstreamEvent>, RateCounts> = {
  empty: () => new Array(SLOTS).fill(0),
  add: (acc, { ts }) => {
    if (typeof acc === "number") return acc + 1;
    const next = [...acc];
    next[secondSlot(ts)]++;
    return next;
  },
};

/** A rate window's whole count. */
export function rateCount(counts: RateCounts): number {
  return typeof counts === "number" ? counts : counts.reduce((a, b) => a + b, 0);
}

/**
 * The rows fired rate windows write (absolute values: idempotent): each
 * window's count, and the count of seconds it holds. A window gives the count
 * of its last second when it fires (every second up to it has passed the
 * watermark) and the final count of its first second, which no later window
 * can change (no record of that second is accepted after it is dropped).
 */
export function rateRows(
  stream: string,
  partition: number,
  closed: WindowResult<RateCounts>[],
): AggregateRow[] {
  const row = (dimension: string, windowStart: number, value: number): AggregateRow => ({
    stream,
    dimension,
    windowStart,
    key: "all",
    partition,
    value: BigInt(value),
    offset: 0,
  });
  const seconds = new Map<number, { value: number; final: boolean }>();
  for (const { start, end, value } of closed) {
    if (typeof value === "number") continue;
    const last = end - RATE_SLIDE_MS;
    if (!seconds.get(last)?.final) {
      seconds.set(last, { value: value[secondSlot(last)], final: false });
    }
    seconds.set(start, { value: value[secondSlot(start)], final: true });
  }
  return [
    ...closed.map((w) => row(RATE_DIMENSION, w.start, rateCount(w.value))),
    // A second without events has no row, as before; counts only grow, so no 0 replaces one.
    ...[...seconds].filter(([, s]) => s.value > 0).map(([second, { value }]) =>
      row(SECOND_DIMENSION, second, value)
    ),
  ];
}

/** Where a clickstream stream keeps its counts and sends the records it accepts. */
export interface ClickstreamOutputs {
  /** The store of its per-second counts. */
  aggregates: AggregateStore;
  /** The broker the clicks and views streams forward their records to the sessions stream on. */
  activity?: Broker;
}

/**
 * The stream definition of one clickstream topic; the records it accepts (and
 * only those) also go to `outputs.activity` when there is one.
 */
export function clickstreamStream(
  topic: ClickstreamTopic,
  config: Config,
  outputs: ClickstreamOutputs,
): StreamDefinition<Timed<ClickstreamEvent>, RateCounts> {
  const { aggregates } = outputs;
  const names = clickstreamNames(topic);
  const sinks: AcceptedSink<Timed<ClickstreamEvent>>[] = [];
  if (outputs.activity && topic !== "ratings") {
    sinks.push(activitySink(outputs.activity, SESSIONS_STREAM.topic));
  }
  return {
    ...names,
    parse: (record) => VALIDATE[topic](decodeJson(record.value)),
    document: ({ event, ts }, record) => ({
      id: clickstreamDocumentId(record),
      ts,
      doc: { ...event },
    }),
    contributions: ({ event }) => clickstreamContributions(event),
    retention: { dimensions: [SECOND_DIMENSION, RATE_DIMENSION], keepMs: RECENT_KEEP_MS },
    live: ({ event }) => ({ item: event.item_id, user: event.user_id, ts: event.timestamp }),
    windows: {
      spec: hopping(RATE_WINDOW_MS, RATE_SLIDE_MS, {
        outOfOrdernessMs: config.streams.outOfOrdernessMs[topic],
        allowedLatenessMs: config.streams.allowedLatenessMs[topic],
        idleTimeoutMs: config.processor.idleTimeoutMs,
        maxFutureMs: config.streams.maxFutureMs[topic],
      }),
      eventTime: ({ ts }) => ts,
      timeField: "timestamp",
      aggregation: RATE_COUNTS,
      onClose: (partition, closed) => aggregates.write(rateRows(topic, partition, closed)),
      // The page counts a rate window only once every partition's watermark has passed it.
      readModel: (state) => ({ watermark: state.watermark }),
    },
    sinks,
  };
}
