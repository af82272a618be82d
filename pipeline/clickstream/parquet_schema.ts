/**
 * The Parquet archive's row shape and schema per clickstream topic, and the
 * pure mapping from a validated record to its row. No writer library here:
 * the columns are described in Parquet's terms and `parquet_archive.ts` hands
 * them to the writer.
 */

import type { Click, ClickstreamEvent, ClickstreamTopic, Rating, Timed, View } from "./events.ts";

/** Where a record sits in its topic. */
export interface SourcePosition {
  partition: number;
  offset: number;
}

/**
 * The archived row of a record type: its fields, the event time as a `Date`
 * in place of the received text, and the record's source position.
 */
export type ArchiveRowOf<E extends ClickstreamEvent> = Omit<E, "timestamp"> & ArchiveExtras;

/** Columns every archived row has besides the record's own fields. */
export interface ArchiveExtras {
  /** Event time, UTC, millisecond precision. */
  timestamp: Date;
  source_partition: number;
  /** A `bigint` because the column is INT64. */
  source_offset: bigint;
}

/** A click's archived row. */
export type ClickRow = ArchiveRowOf<Click>;
/** A view's archived row. */
export type ViewRow = ArchiveRowOf<View>;
/** A rating's archived row. */
export type RatingRow = ArchiveRowOf<Rating>;
/** Any archived row. */
export type ArchiveRow = ClickRow | ViewRow | RatingRow;

/** The row type of each topic. */
export interface ArchiveRowOfTopic {
  clicks: ClickRow;
  views: ViewRow;
  ratings: RatingRow;
}

/**
 * Parquet type of an archive column; every column is REQUIRED.
 *
 * - `string`: BYTE_ARRAY, logical STRING (converted UTF8)
 * - `int32`: INT32, `int64`: INT64, `double`: DOUBLE
 * - `timestamp_millis_utc`: INT64, logical TIMESTAMP(MILLIS, isAdjustedToUTC)
 */
export type ArchiveColumnType = "string" | "int32" | "int64" | "double" | "timestamp_millis_utc";

/** One column of an archive file, named after a field of the row. */
export interface ArchiveColumn<R = ArchiveRow> {
  name: keyof R & string;
  type: ArchiveColumnType;
}

/** The archive's columns for each topic, in file order. */
export const ARCHIVE_SCHEMA: {
  readonly [T in ClickstreamTopic]: readonly ArchiveColumn<ArchiveRowOfTopic[T]>[];
} = {
  clicks: [
    { name: "event_type", type: "string" },
    { name: "user_id", type: "int32" },
    { name: "item_id", type: "int32" },
    { name: "timestamp", type: "timestamp_millis_utc" },
    { name: "page_url", type: "string" },
    { name: "click_duration", type: "double" },
    { name: "source_partition", type: "int32" },
    { name: "source_offset", type: "int64" },
  ],
  views: [
    { name: "event_type", type: "string" },
    { name: "user_id", type: "int32" },
    { name: "item_id", type: "int32" },
    { name: "timestamp", type: "timestamp_millis_utc" },
    { name: "view_duration", type: "double" },
    { name: "device_type", type: "string" },
    { name: "source_partition", type: "int32" },
    { name: "source_offset", type: "int64" },
  ],
  ratings: [
    { name: "event_type", type: "string" },
    { name: "user_id", type: "int32" },
    { name: "item_id", type: "int32" },
    { name: "timestamp", type: "timestamp_millis_utc" },
    { name: "rating", type: "int32" },
    { name: "review_text", type: "string" },
    { name: "source_partition", type: "int32" },
    { name: "source_offset", type: "int64" },
  ],
};

/**
 * The archived row of a validated record: its fields, `timestamp` as the
 * validated event time (the received text is not kept; zoned times become
 * UTC), and where it came from.
 *
 * @example
 * ```ts
 * const row = toArchiveRow(validateClick(json), { partition: 2, offset: 41 });
 * // row.timestamp instanceof Date, row.source_offset === 41n
 * ```
 */
export function toArchiveRow(record: Timed<Click>, source: SourcePosition): ClickRow;
export function toArchiveRow(record: Timed<View>, source: SourcePosition): ViewRow;
export function toArchiveRow(record: Timed<Rating>, source: SourcePosition): RatingRow;
export function toArchiveRow(record: Timed<ClickstreamEvent>, source: SourcePosition): ArchiveRow;
export function toArchiveRow(record: Timed<ClickstreamEvent>, source: SourcePosition): ArchiveRow {
  return {
    ...record.event,
    timestamp: new Date(record.ts),
    source_partition: source.partition,
    source_offset: BigInt(source.offset),
  };
}
