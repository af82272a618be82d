import assert from "node:assert/strict";
import { ClockOffset, LatencyWindow } from "./latency_window.ts";

Deno.test("p50 and p99 are the nearest-rank quantiles of the last minute's latencies", () => {
  const window = new LatencyWindow(60_000);
  window.add(Array.from({ length: 100 }, (_, i) => i + 1), 1_000);
  assert.deepEqual(window.figures(2_000), { p50: 50, p99: 99, count: 100 });
});

Deno.test("latencies older than the window are forgotten; none left gives null", () => {
  const window = new LatencyWindow(60_000);
  window.add([5_000], 0);
  window.add([10], 30_000);
  assert.deepEqual(window.figures(59_999), { p50: 10, p99: 5_000, count: 2 });
  assert.deepEqual(window.figures(60_000), { p50: 10, p99: 10, count: 1 });
  assert.equal(window.figures(90_000), null);
});

Deno.test("a busy window keeps only its newest latencies", () => {
  const window = new LatencyWindow(60_000, 3);
  window.add([1000, 1000, 1, 2, 3], 0);
  assert.deepEqual(window.figures(1), { p50: 2, p99: 3, count: 3 });
});

Deno.test("the clock offset is the smallest received minus sent: skew plus the quickest transit", () => {
  const offset = new ClockOffset();
  assert.equal(offset.ms, 0);
  // The browser's clock runs 5 s ahead; transits of 40, 3 and 20 ms.
  offset.observe(1_000, 6_040);
  offset.observe(2_000, 7_003);
  offset.observe(3_000, 8_020);
  assert.equal(offset.ms, 5_003);
});
