import assert from "node:assert/strict";
import {
  byEventId,
  claimsOf,
  duplicateHeaders,
  duplicatesOf,
  expireEveryMs,
  ownedIds,
} from "./dedup.ts";

Deno.test("within one batch the first record of an id claims it", () => {
  const records = [
    { offset: 10, id: "a" },
    { offset: 11, id: "b" },
    { offset: 12, id: "a" },
  ];
  assert.deepEqual(claimsOf(2, records, 99), [
    { id: "a", partition: 2, offset: 10, at: 99 },
    { id: "b", partition: 2, offset: 11, at: 99 },
  ]);
});

Deno.test("a record is a duplicate unless its own position owns its id", () => {
  const records = [
    { offset: 10, id: "a" }, // claimed now
    { offset: 11, id: "b" }, // owned by another partition
    { offset: 12, id: "a" }, // second in the batch
    { offset: 13, id: "c" }, // a redelivery: this position claimed it before a crash
  ];
  const owners = new Map([
    ["a", { partition: 2, offset: 10 }],
    ["b", { partition: 0, offset: 7 }],
    ["c", { partition: 2, offset: 13 }],
  ]);
  assert.deepEqual(
    duplicatesOf(2, records, owners),
    new Map([
      [11, { id: "b", owner: { partition: 0, offset: 7 } }],
      [12, { id: "a", owner: { partition: 2, offset: 10 } }],
    ]),
  );
});

Deno.test("the same offset on another partition is another position", () => {
  const owners = new Map([["a", { partition: 1, offset: 5 }]]);
  assert.deepEqual(
    duplicatesOf(2, [{ offset: 5, id: "a" }], owners).get(5)?.owner,
    { partition: 1, offset: 5 },
  );
});

Deno.test("a store that leaves an id without owner is a bug, said loudly", () => {
  assert.throws(
    () => duplicatesOf(0, [{ offset: 1, id: "lost" }], new Map()),
    /returned no owner for id "lost"/,
  );
});

Deno.test("a duplicate's dead letter names its id and the position owning it", () => {
  assert.deepEqual(duplicateHeaders({ id: "s-1", owner: { partition: 3, offset: 42 } }), {
    "event.id": "s-1",
    "duplicate.of.partition": "3",
    "duplicate.of.offset": "42",
  });
});

Deno.test("the horizon setting is in hours; expiry runs every hundredth of it, at least each minute", () => {
  assert.equal(byEventId((e: string) => e, { dedupHorizonHours: 168 }).horizonMs, 604_800_000);
  assert.equal(expireEveryMs(604_800_000), 6_048_000);
  assert.equal(expireEveryMs(36_000), 60_000);
});

Deno.test("a replay with two ids is a duplicate when another position owns either, and owns the other", () => {
  const records = [{ offset: 5, id: "sale-1" }, { offset: 5, id: "replay:sales.dlq/0/3" }];
  const owners = new Map([
    ["sale-1", { partition: 0, offset: 2 }],
    ["replay:sales.dlq/0/3", { partition: 0, offset: 5 }],
  ]);
  assert.deepEqual(
    duplicatesOf(0, records, owners),
    new Map([
      [5, { id: "sale-1", owner: { partition: 0, offset: 2 } }],
    ]),
  );
  assert.deepEqual(ownedIds(0, records, owners), new Map([[5, ["replay:sales.dlq/0/3"]]]));
});
