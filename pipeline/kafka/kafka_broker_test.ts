import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { Buffer } from "node:buffer";
import { assignedPartitions, gatheringFetch } from "./kafka_broker.ts";

Deno.test("kafka: a fetch wait makes a member's fetch wait that long for a partition's worth of bytes; none leaves kafkajs' own", () => {
  const bytes = 2 * 1024 * 1024;
  assert.deepEqual(gatheringFetch({ fetchWaitMs: 0, fetchMaxBytesPerPartition: bytes }), {});
  assert.deepEqual(gatheringFetch({ fetchWaitMs: 20, fetchMaxBytesPerPartition: bytes }), {
    minBytes: bytes,
    maxWaitTimeInMs: 20,
  });
});

Deno.test("kafka: a member's assignment bytes read as its partitions, by topic and partition; empty bytes as none", () => {
  const bytes = kafkajs.AssignerProtocol.MemberAssignment.encode({
    version: 0,
    assignment: { users: [3, 1], sales: [0] },
    userData: Buffer.alloc(0),
  });
  assert.deepEqual(assignedPartitions(bytes), [
    { topic: "sales", partition: 0 },
    { topic: "users", partition: 1 },
    { topic: "users", partition: 3 },
  ]);
  assert.deepEqual(assignedPartitions(Buffer.alloc(0)), []);
  assert.deepEqual(
    assignedPartitions(Buffer.from([0, 0, 0, 0, 0, 9, 1])),
    [],
    "not the protocol's bytes",
  );
});
