import assert from "node:assert/strict";
import { HealthBoard, healthPort } from "./health.ts";
import type { PartitionStop } from "../pipeline/errors.ts";

const stop: PartitionStop = {
  stream: "sales",
  topic: "sales",
  partition: 2,
  offset: 41,
  code: "processing-errors",
  reason: "more than 5 % of its records in the last 60 s made the processor throw",
  at: 1000,
};

Deno.test("health is ok until a processing error, then degraded with the counts per partition", () => {
  const board = new HealthBoard();
  assert.deepEqual(board.health(), {
    status: "ok",
    processingErrors: { total: 0, partitions: [] },
    stopped: [],
  });
  board.report({ kind: "processing-error", stream: "users", partition: 1, offset: 7, at: 10 });
  board.report({ kind: "processing-error", stream: "users", partition: 1, offset: 9, at: 20 });
  board.report({ kind: "processing-error", stream: "sales", partition: 0, offset: 3, at: 15 });
  const health = board.health();
  assert.equal(health.status, "degraded");
  assert.equal(health.processingErrors.total, 3);
  assert.deepEqual(health.processingErrors.partitions, [
    { stream: "users", partition: 1, count: 2, lastAt: 20 },
    { stream: "sales", partition: 0, count: 1, lastAt: 15 },
  ]);
});

Deno.test("readiness fails naming a stopped partition and why, until its processor restarts", async () => {
  const board = new HealthBoard();
  const health = healthPort({ board, probes: [], probeTimeoutMs: 100 });
  assert.equal((await health.readiness()).ready, true);
  board.report({ kind: "stopped", stop });
  const readiness = await health.readiness();
  assert.equal(readiness.ready, false);
  assert.deepEqual(readiness.stopped, [stop]);
  assert.equal(health.health().status, "degraded");
  board.processorStarted({ stream: "users", worker: 1 });
  assert.equal((await health.readiness()).ready, false, "another stream's restart changes nothing");
  board.processorStarted({ stream: "sales", worker: 1 });
  assert.equal((await health.readiness()).ready, true);
});

Deno.test("readiness fails while a processor has failed, and when a dependency does not answer in time", async () => {
  const board = new HealthBoard();
  let up = true;
  const health = healthPort({
    board,
    probes: [
      { name: "broker", check: () => Promise.resolve(3) },
      {
        name: "raw store",
        check: () => up ? Promise.resolve() : new Promise(() => {}),
      },
      { name: "aggregate store", check: () => Promise.reject(new Error("connection refused")) },
    ],
    probeTimeoutMs: 50,
  });
  up = false;
  board.processorFailed({ stream: "clicks", worker: 1 }, "cannot open the store");
  const readiness = await health.readiness();
  assert.equal(readiness.ready, false);
  assert.deepEqual(readiness.failedProcessors, [
    { stream: "clicks", worker: 1, error: "cannot open the store" },
  ]);
  assert.deepEqual(readiness.dependencies, [
    { name: "broker", ok: true },
    { name: "raw store", ok: false, error: "no answer within 50 ms" },
    { name: "aggregate store", ok: false, error: "connection refused" },
  ]);
});

Deno.test("readiness fails while a processor's group is STALL or STOP, naming it, and not for WARN", async () => {
  let groups = [
    { group: "streamboard-users", topic: "users", status: "STOP" },
    { group: "streamboard-sales", topic: "sales", status: "WARN" },
  ];
  const health = healthPort({
    board: new HealthBoard(),
    probes: [],
    probeTimeoutMs: 50,
    groups: () => groups,
  });
  const readiness = await health.readiness();
  assert.equal(readiness.ready, false);
  assert.deepEqual(readiness.stalledGroups, [groups[0]]);
  groups = [{ group: "streamboard-users", topic: "users", status: "OK" }, groups[1]];
  assert.deepEqual(await health.readiness(), {
    ready: true,
    down: [],
    outages: [],
    stopped: [],
    stalledGroups: [],
    failedProcessors: [],
    dependencies: [],
  });
});

Deno.test("readiness names the servers that are down: from failed probes and from parts waiting out an outage", async () => {
  const board = new HealthBoard();
  let cassandraUp = false;
  const health = healthPort({
    board,
    probes: [
      { name: "broker", server: "Kafka", check: () => Promise.resolve() },
      {
        name: "aggregate store",
        server: "Cassandra",
        check: () => cassandraUp ? Promise.resolve() : Promise.reject(new Error("refused")),
      },
    ],
    probeTimeoutMs: 50,
  });
  board.outage("producer", { server: "Kafka", since: 1_000, error: "connection refused" });
  let readiness = await health.readiness();
  assert.equal(readiness.ready, false);
  assert.deepEqual(readiness.down, ["Cassandra", "Kafka"]);
  assert.deepEqual(readiness.outages, [
    { part: "producer", server: "Kafka", since: 1_000, error: "connection refused" },
  ]);
  assert.deepEqual(readiness.dependencies[1], {
    name: "aggregate store",
    server: "Cassandra",
    ok: false,
    error: "refused",
  });
  cassandraUp = true;
  board.outage("producer", undefined);
  readiness = await health.readiness();
  assert.equal(readiness.ready, true);
  assert.deepEqual(readiness.down, []);
  assert.deepEqual(readiness.outages, []);
});

Deno.test("with two workers on a stream, a restart of one clears only the partitions it stopped and its own failure", async () => {
  const board = new HealthBoard();
  const health = healthPort({ board, probes: [], probeTimeoutMs: 100 });
  const other = { ...stop, partition: 3, offset: 7 };
  board.report({ kind: "stopped", stop }, 1);
  board.report({ kind: "stopped", stop: other }, 2);
  board.processorFailed({ stream: "sales", worker: 2 }, "store closed");
  board.processorStarted({ stream: "sales", worker: 1 });
  const readiness = await health.readiness();
  assert.deepEqual(readiness.stopped, [other], "worker 2's stop stands");
  assert.deepEqual(readiness.failedProcessors, [{
    stream: "sales",
    worker: 2,
    error: "store closed",
  }]);
  board.processorStarted({ stream: "sales", worker: 2 });
  assert.equal((await health.readiness()).ready, true);
});
