/** The names of StreamBoard's streams: one topic each, read by one processor each. */

/** Every stream, in the order pages and tasks list them. */
export const STREAM_NAMES = [
  "users",
  "sales",
  "clicks",
  "views",
  "ratings",
  "products",
  // Fed by the clicks and views processors, not by the producer (see `STREAM_SOURCES`).
  "sessions",
] as const;

/** One of `STREAM_NAMES`. */
export type StreamName = typeof STREAM_NAMES[number];

/** The streams that run through the event-time windowing engine: every one. */
export const WINDOWED_STREAMS = STREAM_NAMES;

/** One of `WINDOWED_STREAMS`. */
export type WindowedStreamName = typeof WINDOWED_STREAMS[number];

/** True for a known stream name. */
export function isStreamName(name: string): name is StreamName {
  return (STREAM_NAMES as readonly string[]).includes(name);
}
