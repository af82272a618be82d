import assert from "node:assert/strict";
import { EmbeddedLog } from "./embedded/log_broker.ts";
import { namespacedBroker } from "./namespaced_broker.ts";
import { consumeCount } from "./testing/broker_contract.ts";

Deno.test("two namespaces on one log never see each other's records", async () => {
  const path = `${await Deno.makeTempDir()}/log.db`;
  const log = new EmbeddedLog({ path, pollMs: 5 });
  const staging = namespacedBroker(log, "staging.");
  const prod = namespacedBroker(log, "prod.");
  for (const b of [staging, prod]) await b.createTopics([{ name: "users", partitions: 1 }]);
  await staging.produce("users", [{ key: "a", value: new Uint8Array([1]) }]);
  await prod.produce("users", [{ key: "b", value: new Uint8Array([2]), headers: { h: "x" } }]);
  const got = await consumeCount(prod, {
    groupId: "g",
    topics: ["users"],
    count: 1,
    timeoutMs: 2000,
  });
  assert.deepEqual(got.map((r) => [r.topic, r.key, r.value[0], r.headers.h]), [[
    "users",
    "b",
    2,
    "x",
  ]]);
  assert.equal(await log.partitions("prod.users"), 1);
  assert.equal(await log.partitions("users"), undefined);
  await log.close();
});

Deno.test("a namespace describes, reads and finds only its own topics and groups, unprefixed", async () => {
  const path = `${await Deno.makeTempDir()}/log.db`;
  const log = new EmbeddedLog({ path, pollMs: 5 });
  const staging = namespacedBroker(log, "staging.");
  const prod = namespacedBroker(log, "prod.");
  for (const b of [staging, prod]) await b.createTopics([{ name: "users", partitions: 1 }]);
  await prod.produce("users", [{ key: "b", value: new Uint8Array([2]), timestamp: 5 }]);
  await consumeCount(prod, { groupId: "g", topics: ["users"], count: 1, timeoutMs: 2000 });
  assert.deepEqual((await prod.describeTopics()).map((t) => [t.name, t.partitions]), [
    ["users", [{ partition: 0, low: 0, high: 1 }]],
  ]);
  const read = await prod.read({ topic: "users", partition: 0, offset: 0, limit: 5 });
  assert.deepEqual(read.map((r) => [r.topic, r.offset]), [["users", 0]]);
  assert.equal(await prod.offsetForTime({ topic: "users", partition: 0, timestamp: 6 }), 1);
  assert.deepEqual(await prod.describeGroups(), [
    {
      group: "g",
      state: "empty",
      members: [],
      offsets: [{ topic: "users", partition: 0, committed: 1 }],
    },
  ]);
  assert.deepEqual(await staging.describeGroups(), []);
  await log.close();
});
