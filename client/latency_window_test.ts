import assert from "node:assert/strict";
import { ClockOffset, LatencyWindow, nthSmallest } from "./latency_window.ts";
import { seededRandom } from "../pipeline/random.ts";

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

Deno.test("a full window forgets its oldest latencies by time after wrapping around", () => {
  const window = new LatencyWindow(10_000, 4);
  window.add([1, 2, 3], 0);
  window.add([4, 5, 6], 5_000);
  // Holds 3 (at 0) and 4, 5, 6 (at 5 s); at 10 s the one seen at 0 has gone.
  assert.deepEqual(window.figures(9_000), { p50: 4, p99: 6, count: 4 });
  assert.deepEqual(window.figures(10_000), { p50: 5, p99: 6, count: 3 });
  window.add([7, 8], 12_000);
  assert.deepEqual(window.figures(14_999), { p50: 6, p99: 8, count: 4 });
  assert.deepEqual(window.figures(15_000), { p50: 7, p99: 8, count: 2 });
  assert.deepEqual(window.figures(12_000), { p50: 7, p99: 8, count: 2 });
});

Deno.test("the window's quantiles are those of sorting every latency it holds", () => {
  const random = seededRandom(7);
  for (let run = 0; run < 200; run++) {
    const window = new LatencyWindow(60_000, 500);
    const held: number[] = [];
    const adds = 1 + Math.floor(random.next() * 8);
    for (let add = 0; add < adds; add++) {
      const batch = Array.from(
        { length: Math.floor(random.next() * 150) },
        () => Math.floor(random.next() * (run % 2 === 0 ? 20 : 5_000)),
      );
      window.add(batch, add);
      held.push(...batch);
    }
    const kept = held.slice(-500).sort((a, b) => a - b);
    const rank = (q: number) => kept[Math.max(0, Math.ceil(q * kept.length) - 1)];
    assert.deepEqual(
      window.figures(adds),
      kept.length === 0 ? null : { p50: rank(0.5), p99: rank(0.99), count: kept.length },
    );
  }
});

Deno.test("selection finds every rank of sorted, reversed, repeated and patterned latencies", () => {
  const n = 2_001;
  const orders: Record<string, number[]> = {
    ascending: Array.from({ length: n }, (_, i) => i),
    descending: Array.from({ length: n }, (_, i) => n - i),
    "organ pipe": Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
    "all equal": Array.from({ length: n }, () => 42),
    "two values": Array.from({ length: n }, (_, i) => i % 2),
    "sawtooth": Array.from({ length: n }, (_, i) => i % 37),
  };
  for (const [name, values] of Object.entries(orders)) {
    const sorted = [...values].sort((a, b) => a - b);
    for (const k of [0, 1, 1_000, 1_980, n - 2, n - 1]) {
      assert.equal(nthSmallest(Float64Array.from(values), k), sorted[k], `${name}, k = ${k}`);
    }
  }
  assert.equal(nthSmallest(Float64Array.of(3), 0), 3);
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
