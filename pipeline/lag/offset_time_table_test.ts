import assert from "node:assert/strict";
import { lagSeconds, type OffsetPoint, OffsetTimeTable } from "./offset_time_table.ts";

const HOUR = 3_600_000;

function table(points: OffsetPoint[], maxPoints = 60): OffsetTimeTable {
  const t = new OffsetTimeTable({ maxPoints, retentionMs: HOUR });
  for (const p of points) t.add(p);
  return t;
}

function predicted(t: OffsetTimeTable, offset: number): number {
  const found = t.lookup(offset);
  assert.equal(found.kind, "prediction", `lookup(${offset}) gave ${found.kind}`);
  return (found as { time: number }).time;
}

// The cases of kafka-lag-exporter's LookupTableSpec, for the memory table.

Deno.test("a table refuses points that are not newer and says when it has too few points", () => {
  const t = table([]);
  assert.deepEqual(t.lookup(0), { kind: "too-few-points" });
  assert.equal(t.add({ offset: 100, time: 100 }), "inserted");
  assert.deepEqual(t.lookup(0), { kind: "too-few-points" });
  assert.equal(t.add({ offset: 110, time: 90 }), "out-of-order");
  assert.equal(t.add({ offset: 0, time: 0 }), "out-of-order");
  assert.equal(t.add({ offset: 110, time: -1 }), "out-of-order");
  assert.equal(t.points.length, 1);
});

Deno.test("a lower end offset means the topic was made again: the table starts over", () => {
  const t = table([{ offset: 100, time: 100 }, { offset: 200, time: 200 }]);
  assert.equal(t.add({ offset: 5, time: 300 }), "reset");
  assert.deepEqual(t.points, [{ offset: 5, time: 300 }]);
});

Deno.test("square lookups interpolate inside the table and extrapolate on both sides", () => {
  const t = table([{ offset: 100, time: 100 }, { offset: 200, time: 200 }]);
  for (const offset of [150, 190, 110, 10, 0, -100, 300, 100]) {
    assert.equal(predicted(t, offset), offset);
  }
});

Deno.test("a flat run keeps its first and last point and a lookup takes its newest end", () => {
  const t = table([
    { offset: 100, time: 30 },
    { offset: 200, time: 60 },
    { offset: 200, time: 120 },
  ]);
  assert.equal(t.add({ offset: 200, time: 700 }), "updated");
  assert.equal(t.points.length, 3);
  t.add({ offset: 300, time: 730 });
  t.add({ offset: 300, time: 9000 });
  t.add({ offset: 400, time: 9030 });
  assert.equal(predicted(t, 199), 59.7);
  assert.equal(predicted(t, 200), 700);
  assert.equal(predicted(t, 201), 700.3);
  assert.equal(predicted(t, 250), 715);
  assert.equal(predicted(t, 299), 729.7);
  assert.equal(predicted(t, 300), 9000);
  assert.equal(predicted(t, 301), 9000.3);
});

Deno.test("the newest end offset is zero lag, even on a table of one point", () => {
  assert.deepEqual(table([{ offset: 0, time: 100 }]).lookup(0), { kind: "lag-is-zero" });
  assert.deepEqual(table([{ offset: 0, time: 0 }, { offset: 0, time: 100 }]).lookup(0), {
    kind: "lag-is-zero",
  });
});

Deno.test("a table that never moved predicts infinitely far on either side", () => {
  const t = table([100, 200, 300, 400].map((time) => ({ offset: 100, time })));
  assert.deepEqual(t.points, [{ offset: 100, time: 100 }, { offset: 100, time: 400 }]);
  assert.equal(predicted(t, 99), -Infinity);
  assert.equal(predicted(t, 101), Infinity);
});

Deno.test("steady timestamps with different rates interpolate per segment", () => {
  const t = table([
    { offset: 0, time: 0 },
    { offset: 10, time: 1 },
    { offset: 200, time: 2 },
    { offset: 3000, time: 3 },
    { offset: 40000, time: 4 },
  ]);
  assert.equal(predicted(t, 1600), 2.5);
  assert.equal(predicted(t, 0), 0);
  assert.equal(predicted(t, 9), 0.9);
  assert.equal(predicted(t, 10), 1);
  assert.equal(predicted(t, 200), 2);
  assert.equal(predicted(t, 2999), 2.9996428571428573);
  assert.equal(predicted(t, 3000), 3);
  assert.equal(predicted(t, 3001), 3.000027027027027);
  assert.deepEqual(t.lookup(40000), { kind: "lag-is-zero" });
  assert.equal(predicted(t, -10000), -1);
  assert.equal(predicted(t, 50000), 5);
});

Deno.test("a table keeps at most its size and drops points older than its retention", () => {
  const bySize = table([0, 1, 2, 3].map((i) => ({ offset: i * 10, time: i * 1000 })), 3);
  assert.deepEqual(bySize.points.map((p) => p.offset), [10, 20, 30]);
  const byAge = new OffsetTimeTable({ maxPoints: 60, retentionMs: 2000 });
  for (const [offset, time] of [[100, 0], [200, 1000], [300, 2000], [400, 3500]]) {
    byAge.add({ offset, time });
  }
  assert.deepEqual(byAge.points.map((p) => p.offset), [300, 400]);
});

Deno.test("lag seconds: the time since the end offset passed the committed offset", () => {
  // 10 records a second: offset 100 at t=10 s ... 200 at t=20 s.
  const t = table([{ offset: 100, time: 10_000 }, { offset: 200, time: 20_000 }]);
  assert.equal(lagSeconds(t, 150, 20_000), 5);
  assert.equal(lagSeconds(t, 200, 20_000), 0, "caught up");
  assert.equal(lagSeconds(t, 210, 20_000), 0, "a commit ahead of the sampled end is not behind");
  assert.equal(lagSeconds(t, 50, 20_000), 15, "extrapolated before the oldest point");
  assert.equal(lagSeconds(table([{ offset: 100, time: 10_000 }]), 50, 20_000), null);
});

Deno.test("lag seconds of a group behind a producer that stopped grow from the oldest point", () => {
  const t = table([{ offset: 100, time: 10_000 }, { offset: 100, time: 20_000 }]);
  assert.equal(lagSeconds(t, 40, 20_000), 10);
  t.add({ offset: 100, time: 30_000 });
  assert.equal(lagSeconds(t, 40, 30_000), 20);
});
