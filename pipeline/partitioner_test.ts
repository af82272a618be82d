import assert from "node:assert/strict";
import { murmur2, partitionFor } from "./partitioner.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("murmur2 matches Kafka's Utils.murmur2 test vectors", () => {
  assert.equal(murmur2(bytes("21")), -973932308);
  assert.equal(murmur2(bytes("foobar")), -790332482);
  assert.equal(murmur2(bytes("a-little-bit-long-string")), -985981536);
  assert.equal(murmur2(bytes("a-little-bit-longer-string")), -1486304829);
  assert.equal(
    murmur2(bytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")),
    -58897971,
  );
  assert.equal(murmur2(bytes("abc")), 479470107);
});

Deno.test("the same key always lands in the same partition, within range", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const p = partitionFor(`key-${i}`, 4);
    assert.equal(p, partitionFor(`key-${i}`, 4));
    assert.ok(p >= 0 && p < 4);
    seen.add(p);
  }
  assert.equal(seen.size, 4, "keys spread over every partition");
});

Deno.test("null keys go round-robin", () => {
  assert.deepEqual([0, 1, 2, 3, 4].map((n) => partitionFor(null, 3, n)), [0, 1, 2, 0, 1]);
});
