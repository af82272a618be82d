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
