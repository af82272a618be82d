import assert from "node:assert/strict";
import { gatheringFetch } from "./kafka_broker.ts";

Deno.test("kafka: a fetch wait makes a member's fetch wait that long for a partition's worth of bytes; none leaves kafkajs' own", () => {
  const bytes = 2 * 1024 * 1024;
  assert.deepEqual(gatheringFetch({ fetchWaitMs: 0, fetchMaxBytesPerPartition: bytes }), {});
  assert.deepEqual(gatheringFetch({ fetchWaitMs: 20, fetchMaxBytesPerPartition: bytes }), {
    minBytes: bytes,
    maxWaitTimeInMs: 20,
  });
});
