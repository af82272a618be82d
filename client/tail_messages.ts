/** What the topic browser's live tail shows as messages arrive over SSE. */

import type { ConsoleMessage } from "../server/console_messages.ts";

/**
 * `shown` with `arrived` added, one message per partition and offset (the
 * tail's snapshot and its first events may overlap), ordered by time as a
 * browse is, the newest `limit` kept.
 */
export function withTailed(
  shown: readonly ConsoleMessage[],
  arrived: readonly ConsoleMessage[],
  limit: number,
): ConsoleMessage[] {
  const byPosition = new Map<string, ConsoleMessage>();
  for (const m of [...shown, ...arrived]) byPosition.set(`${m.partition}:${m.offset}`, m);
  return [...byPosition.values()]
    .sort((a, b) =>
      a.timestamp.localeCompare(b.timestamp) || a.partition - b.partition || a.offset - b.offset
    )
    .slice(-limit);
}
