import assert from "node:assert/strict";
import { shareOf, type TopicPartition } from "./group_leases.ts";

const partitions: TopicPartition[] = [0, 1, 2, 3].map((partition) => ({ topic: "t", partition }));
const numbers = (tps: TopicPartition[]) => tps.map((tp) => tp.partition);

Deno.test("group shares: every partition goes to exactly one member, whatever order each member lists them in", () => {
  const members = ["b", "c", "a"];
  const shares = ["a", "b", "c"].map((m) => numbers(shareOf(partitions, members, m)));
  assert.deepEqual(shares, [[0, 3], [1], [2]]);
  assert.deepEqual(numbers(shareOf(partitions, ["c", "a", "b"], "b")), [1]);
});

Deno.test("group shares: a lone member holds every partition, a process not among the members none", () => {
  assert.deepEqual(numbers(shareOf(partitions, ["a"], "a")), [0, 1, 2, 3]);
  assert.deepEqual(shareOf(partitions, ["a", "b"], "z"), []);
});

Deno.test("group shares: more members than partitions leaves some with none", () => {
  const members = ["a", "b", "c", "d", "e"];
  assert.deepEqual(numbers(shareOf(partitions, members, "e")), []);
  assert.deepEqual(numbers(shareOf(partitions, members, "d")), [3]);
});
