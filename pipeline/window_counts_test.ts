import assert from "node:assert/strict";
import type { AggregateRow } from "./ports.ts";
import { applyContributions, cellId, type Contribution, windowStart } from "./window_counts.ts";

const c = (offset: number, key = "male", ts = 61_000): Contribution => ({
  dimension: "gender",
  key,
  ts,
  offset,
  amount: 1,
});

Deno.test("tumbling window start is the floor of the event time", () => {
  assert.equal(windowStart(61_000, 60_000), 60_000);
  assert.equal(windowStart(119_999, 60_000), 60_000);
  assert.equal(windowStart(120_000, 60_000), 120_000);
});

Deno.test("contributions count into their window and key, carrying the offset", () => {
  const rows = applyContributions("users", 2, 60_000, new Map(), [
    c(0),
    c(1, "female"),
    c(2),
    c(3, "male", 125_000),
  ]);
  const simple = [...rows.values()].map((
    r,
  ) => [r.windowStart, r.key, r.value, r.offset, r.partition]);
  assert.deepEqual(simple, [[60_000, "male", 2n, 2, 2], [60_000, "female", 1n, 1, 2], [
    120_000,
    "male",
    1n,
    3,
    2,
  ]]);
});

Deno.test("a replayed record at or below a cell's offset is not counted twice", () => {
  const current = new Map<string, AggregateRow>([[cellId("gender", 60_000, "male"), {
    stream: "users",
    dimension: "gender",
    windowStart: 60_000,
    key: "male",
    partition: 0,
    value: 5n,
    offset: 10,
  }]]);
  const rows = applyContributions("users", 0, 60_000, current, [c(9), c(10), c(11)]);
  assert.deepEqual([...rows.values()].map((r) => [r.value, r.offset]), [[6n, 11]]);
  assert.equal(current.get(cellId("gender", 60_000, "male"))?.value, 5n, "input left as it was");
});

Deno.test("cells written before a crash and cells not written are both made exact on replay", () => {
  const batch = [c(0), c(1, "female"), c(2), c(3, "female")];
  const full = applyContributions("users", 0, 60_000, new Map(), batch);
  // Crash after only the "male" cell was written:
  const partial = new Map([...full].filter(([, row]) => row.key === "male"));
  const replayed = applyContributions("users", 0, 60_000, partial, batch);
  const merged = new Map([...partial, ...replayed]);
  assert.deepEqual(merged, full);
});

Deno.test("cells add exactly past 2^53, where float addition would round", () => {
  const big = (offset: number): Contribution => ({ ...c(offset), amount: 2 ** 53 - 1 });
  const rows = applyContributions("sales", 0, 60_000, new Map(), [big(0), big(1), c(2), big(3)]);
  const expected = 3n * (2n ** 53n - 1n) + 1n;
  assert.deepEqual([...rows.values()].map((r) => r.value), [expected]);
  assert.notEqual(Number(expected), 3 * (2 ** 53 - 1) + 1 + 1, "a float sum would differ");
});
