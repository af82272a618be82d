import assert from "node:assert/strict";
import { EmbeddedLog } from "./log_broker.ts";
import { consumeCount, runBrokerContract } from "../testing/broker_contract.ts";

const dir = Deno.makeTempDirSync({ prefix: "streamboard-log-" });
const path = `${dir}/log.db`;

runBrokerContract("embedded log", () => Promise.resolve(new EmbeddedLog({ path, pollMs: 5 })));

Deno.test("embedded log: a second member of a group stands by until the first leaves", async () => {
  const first = new EmbeddedLog({ path, pollMs: 5, leaseMs: 300 });
  const second = new EmbeddedLog({ path, pollMs: 5, leaseMs: 300 });
  const topic = `standby-${crypto.randomUUID()}`;
  await first.createTopics([{ name: topic, partitions: 2 }]);
  const holder = new AbortController();
  const holderSaw: number[] = [];
  const holding = first.consume({
    groupId: "standby",
    topics: [topic],
    signal: holder.signal,
    handle: (batch) => {
      holderSaw.push(...batch.records.map((r) => r.offset));
      return Promise.resolve();
    },
  });
  await new Promise((r) => setTimeout(r, 50));
  const waiting = consumeCount(second, {
    groupId: "standby",
    topics: [topic],
    count: 3,
    timeoutMs: 10_000,
  });
  await first.produce(topic, [1, 2, 3].map((i) => ({ key: "k", value: new Uint8Array([i]) })));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(holderSaw.length, 3, "the lease holder consumes");
  holder.abort();
  await holding;
  await first.produce(topic, [4, 5, 6].map((i) => ({ key: "k", value: new Uint8Array([i]) })));
  const got = await waiting;
  assert.deepEqual(
    got.map((r) => r.value[0]),
    [4, 5, 6],
    "the stand-by takes over after the committed offset",
  );
  await first.close();
  await second.close();
});

Deno.test("embedded log: retention deletes records older than the limit", async () => {
  let now = 1_000_000;
  const log = new EmbeddedLog({
    path: `${dir}/retention.db`,
    pollMs: 5,
    retentionMs: 1000,
    now: () => now,
  });
  await log.createTopics([{ name: "t", partitions: 1 }]);
  await log.produce("t", [{ key: "old", value: new Uint8Array([1]) }]);
  now += 120_000;
  await log.produce("t", [{ key: "new", value: new Uint8Array([2]) }]);
  const got = await consumeCount(log, { groupId: "g", topics: ["t"], count: 1, timeoutMs: 2000 });
  assert.deepEqual(got.map((r) => [r.key, r.offset]), [["new", 1]]);
  await log.close();
});

Deno.test("embedded log: an append wakes the readers of its topic at once, in this process and another, long before the poll", async () => {
  // A poll of a minute: only the wake can deliver within the test's time.
  const writer = new EmbeddedLog({ path, pollMs: 60_000 });
  const reader = new EmbeddedLog({ path, pollMs: 60_000 });
  const [watched, other] = [`woken-${crypto.randomUUID()}`, `other-${crypto.randomUUID()}`];
  await writer.createTopics([{ name: watched, partitions: 2 }, { name: other, partitions: 2 }]);
  const stop = new AbortController();
  const arrivals: string[] = [];
  const tailing: Promise<void>[] = [];
  await Promise.all([writer, reader].map((log, i) =>
    new Promise<void>((onReady) => {
      tailing.push(log.tail({
        topics: [watched],
        signal: stop.signal,
        onReady,
        handle: (batch) => void arrivals.push(`${i}:${batch.records.length}`),
      }));
    })
  ));
  // An append elsewhere first, which wakes neither tail; then the watched topic's.
  await writer.produce(other, [{ key: "o", value: new Uint8Array([1]) }]);
  await writer.produce(watched, [{ key: "w", value: new Uint8Array([2]) }]);
  const deadline = Date.now() + 5_000;
  while (arrivals.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stop.abort();
  await Promise.all(tailing);
  assert.deepEqual(
    arrivals.sort(),
    ["0:1", "1:1"],
    "the writer's own tail and the other instance's tail each got the record within 5 s",
  );
  await writer.close();
  await reader.close();
});
