/**
 * The clickstream's three streams (`clicks`, `views`, `ratings`): each
 * counts events per second and in all, per item, per device (views) and sums
 * ratings per item; events run through ten-second hopping windows sliding
 * every second, whose final counts give the dashboard its events per second.
 */

import type { Config } from "../../config.ts";
import type { AggregateStore, Broker, BrokerRecord } from "../ports.ts";
import type { AcceptedSink, CellContribution, StreamDefinition } from "../processor.ts";
import { decodeJson } from "../validation.ts";
import { ALL_TIME } from "../window_counts.ts";
import { hopping, type WindowResult } from "../windowing/windows.ts";
import { type ClickstreamEvent, type ClickstreamTopic, type Timed, VALIDATE } from "./events.ts";
import type { ParquetArchive } from "./parquet_archive.ts";
import { archiveSink } from "./archiver.ts";
import { activitySink } from "./activity.ts";
import { SESSIONS_STREAM } from "./sessions_stream.ts";

/** Length of a rate window, ms. */
export const RATE_WINDOW_MS = 10_000;
/** Distance between rate windows, ms. */
export const RATE_SLIDE_MS = 1_000;
/** Dimension of the final event count of each rate window. */
export const RATE_DIMENSION = "rate_window";
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
    { dimension: "events", key: "all", amount: 1, windowMs: 1000 },
    { dimension: "count", key: "all", amount: 1, windowMs: ALL_TIME },
  ];
  switch (event.event_type) {
    case "click":
      cells.push({ dimension: "item", key: item, amount: 1, windowMs: ALL_TIME });
      break;
    case "view":
      cells.push(
        { dimension: "item", key: item, amount: 1, windowMs: ALL_TIME },
        { dimension: "device", key: event.device_type, amount: 1, windowMs: ALL_TIME },
      );
      break;
    case "rating":
      cells.push(
        { dimension: "item", key: item, amount: 1, windowMs: ALL_TIME },
        { dimension: "rating_sum", key: item, amount: event.rating, windowMs: ALL_TIME },
      );
      break;
  }
  return cells;
}

/** Writes the final count of each closed rate window (absolute values: idempotent). */
export function writeRateWindows(
  aggregates: AggregateStore,
  stream: string,
  partition: number,
  closed: WindowResult<number>[],
): Promise<void> {
  return aggregates.write(closed.map((w) => ({
    stream,
    dimension: RATE_DIMENSION,
    windowStart: w.start,
    key: "all",
    partition,
    value: BigInt(w.value),
    offset: 0,
  })));
}

/** Where a clickstream stream sends the records it accepts, besides its stores. */
export interface ClickstreamOutputs {
  /** The topic's Parquet archive. */
  archive?: ParquetArchive;
  /** The broker the clicks and views streams forward their records to the sessions stream on. */
  activity?: Broker;
}

/**
 * The stream definition of one clickstream topic; the records it accepts (and
 * only those) also go to each of `outputs`.
 */
export function clickstreamStream(
  topic: ClickstreamTopic,
  config: Config,
  aggregates: AggregateStore,
  outputs: ClickstreamOutputs = {},
): StreamDefinition<Timed<ClickstreamEvent>, number> {
  const names = clickstreamNames(topic);
  const sinks: AcceptedSink<Timed<ClickstreamEvent>>[] = [];
  if (outputs.archive) sinks.push(archiveSink(outputs.archive));
  if (outputs.activity && topic !== "ratings") {
    sinks.push(activitySink(outputs.activity, SESSIONS_STREAM.topic));
  }
  return {
    ...names,
    windowMs: 1000,
    parse: (record) => VALIDATE[topic](decodeJson(record.value)),
    document: ({ event, ts }, record) => ({
      id: clickstreamDocumentId(record),
      ts,
      doc: { ...event },
    }),
    contributions: ({ event }) => clickstreamContributions(event),
    retention: { dimensions: ["events", RATE_DIMENSION], keepMs: RECENT_KEEP_MS },
    live: ({ event }) => ({ item: event.item_id, user: event.user_id, ts: event.timestamp }),
    windows: {
      spec: hopping(RATE_WINDOW_MS, RATE_SLIDE_MS, {
        outOfOrdernessMs: config.outOfOrderness[topic],
        allowedLatenessMs: config.lateness[topic],
        idleTimeoutMs: config.idleTimeoutMs,
        maxFutureMs: config.maxFutureMs[topic],
      }),
      eventTime: ({ ts }) => ts,
      timeField: "timestamp",
      aggregation: { empty: () => 0, add: (n) => n + 1 },
      onClose: (partition, closed) => writeRateWindows(aggregates, topic, partition, closed),
      // The page counts a rate window only once every partition's watermark has passed it.
      readModel: (state) => ({ watermark: state.watermark }),
    },
    sinks,
  };
}
