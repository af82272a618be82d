import assert from "node:assert/strict";
import { DEFAULTS, withConfig } from "../../config.ts";
import { WindowEngine } from "../windowing/windows.ts";
import { clickstreamStream, rateRows, SECOND_DIMENSION } from "./clickstream_stream.ts";
import { SqliteAggregateStore } from "../embedded/aggregate_store.ts";
import type { ClickstreamEvent, Timed } from "./events.ts";

const T = Date.UTC(2025, 1, 16, 7, 29, 0);
const event = (s: number): Timed<ClickstreamEvent> => ({
  ts: T + s * 1000,
  event: {
    event_type: "click",
    user_id: 1,
    item_id: 1,
    timestamp: new Date(T + s * 1000).toISOString(),
    page_url: "/items/1",
    click_duration: 1,
  },
});

/** The per-second rows the fired rate windows of `seconds` (event times, in order) write. */
function secondsAfter(seconds: number[], allowedLatenessMs = 0) {
  const definition = clickstreamStream(
    "clicks",
    withConfig(DEFAULTS, { streams: { allowedLatenessMs: { clicks: allowedLatenessMs } } }),
    { aggregates: new SqliteAggregateStore(":memory:") },
  );
  const windows = definition.windows!;
  const engine = new WindowEngine(windows.spec, windows.aggregation);
  engine.restore(0, T);
  const rows = new Map<number, bigint>();
  for (const [offset, s] of seconds.entries()) {
    const outcome = engine.add({ partition: 0, offset, ts: T + s * 1000, value: event(s), now: T });
    if (outcome.kind !== "added") continue;
    for (const row of rateRows("clicks", 0, outcome.closed)) {
      if (row.dimension === SECOND_DIMENSION) rows.set((row.windowStart - T) / 1000, row.value);
    }
  }
  return Object.fromEntries([...rows].sort(([a], [b]) => a - b));
}

Deno.test("each second's count is written once the watermark passes it, from the rate windows", () => {
  // Watermark 30 - 5 = 25 s: seconds up to 24 are past it.
  assert.deepEqual(secondsAfter([0, 0, 1, 3, 3, 3, 24.5, 30]), { 0: 2n, 1: 1n, 3: 3n, 24: 1n });
});

Deno.test("a second's count taken in by allowed lateness is written again, whole", () => {
  // Second 3 shows 1 when its window fires at 8 s; a record of second 3 within the allowed
  // lateness re-fires the windows that hold it, and the second shows 2.
  assert.deepEqual(secondsAfter([3, 9, 3.5, 30], 2_000), { 3: 2n, 9: 1n });
});
