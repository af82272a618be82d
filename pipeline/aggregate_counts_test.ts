import assert from "node:assert/strict";
import type { AggregateRow } from "./ports.ts";
import { AggregateCounter, applyCounts, cellId, type Count } from "./aggregate_counts.ts";
import { SqliteAggregateStore } from "./embedded/aggregate_store.ts";

const c = (offset: number, key = "male"): Count => ({
  dimension: "gender",
  key,
  offset,
  amount: 1,
});

Deno.test("counts add into their all-time cell by key, carrying the offset", () => {
  const rows = applyCounts({
    stream: "users",
    partition: 2,
    current: new Map(),
    counts: [c(0), c(1, "female"), c(2)],
  });
  const simple = [...rows.values()].map((
    r,
  ) => [r.windowStart, r.key, r.value, r.offset, r.partition]);
  assert.deepEqual(simple, [[0, "male", 2n, 2, 2], [0, "female", 1n, 1, 2]]);
});

Deno.test("a replayed record at or below a cell's offset is not counted twice", () => {
  const current = new Map<string, AggregateRow>([[cellId("gender", "male"), {
    stream: "users",
    dimension: "gender",
    windowStart: 0,
    key: "male",
    partition: 0,
    value: 5n,
    offset: 10,
  }]]);
  const rows = applyCounts({
    stream: "users",
    partition: 0,
    current,
    counts: [c(9), c(10), c(11)],
  });
  assert.deepEqual([...rows.values()].map((r) => [r.value, r.offset]), [[6n, 11]]);
  assert.equal(current.get(cellId("gender", "male"))?.value, 5n, "input left as it was");
});

Deno.test("cells written before a crash and cells not written are both made exact on replay", () => {
  const batch = [c(0), c(1, "female"), c(2), c(3, "female")];
  const full = applyCounts({ stream: "users", partition: 0, current: new Map(), counts: batch });
  // Crash after only the "male" cell was written:
  const partial = new Map([...full].filter(([, row]) => row.key === "male"));
  const replayed = applyCounts({ stream: "users", partition: 0, current: partial, counts: batch });
  const merged = new Map([...partial, ...replayed]);
  assert.deepEqual(merged, full);
});

Deno.test("cells add exactly past 2^53, where float addition would round", () => {
  const big = (offset: number): Count => ({ ...c(offset), amount: 2 ** 53 - 1 });
  const rows = applyCounts({
    stream: "sales",
    partition: 0,
    current: new Map(),
    counts: [big(0), big(1), c(2), big(3)],
  });
  const expected = 3n * (2n ** 53n - 1n) + 1n;
  assert.deepEqual([...rows.values()].map((r) => r.value), [expected]);
  assert.notEqual(Number(expected), 3 * (2 ** 53 - 1) + 1 + 1, "a float sum would differ");
});

Deno.test("a counter taking over a partition reads its cells, so a replayed batch counts once", async () => {
  const store = new SqliteAggregateStore(":memory:");
  const batch = [c(0), c(1, "female"), c(2)];
  await new AggregateCounter(store, "users").apply(0, { first: 0, last: 2 }, batch);
  // Another member (or this one after a crash) gets the same batch again, then the next.
  const other = new AggregateCounter(store, "users");
  await other.apply(0, { first: 0, last: 2 }, batch);
  await other.apply(0, { first: 3, last: 3 }, [c(3)]);
  const totals = await store.totals("users", "gender");
  assert.deepEqual(totals.map((t) => [t.key, t.value]).sort(), [["female", 1n], ["male", 3n]]);
  await store.close();
});
