import assert from "node:assert/strict";
import { DownServers, watchDownServers, withDownServers } from "./down_servers.ts";
import { HealthBoard, healthPort } from "./health.ts";

Deno.test("every page's snapshot names the servers down when it was read", async () => {
  const servers = new DownServers();
  const pages = withDownServers({
    users: { liveTopics: ["users.live"], read: () => Promise.resolve({ total: 3 }) },
    console: { liveTopics: [], read: () => Promise.resolve({ topics: [] }) },
  }, servers);
  assert.deepEqual(await pages.users.read(), { total: 3, down: [] });
  servers.set(["MongoDB", "Kafka"]);
  assert.deepEqual(await pages.users.read(), { total: 3, down: ["Kafka", "MongoDB"] });
  assert.deepEqual(await pages.console.read(), { topics: [], down: ["Kafka", "MongoDB"] });
  assert.deepEqual(pages.users.liveTopics, ["users.live"]);
});

Deno.test("the watch follows readiness: a server that stops answering is named, and no longer once it is back", async () => {
  let kafkaUp = true;
  const health = healthPort({
    board: new HealthBoard(),
    probes: [{
      name: "broker",
      server: "Kafka",
      check: () => kafkaUp ? Promise.resolve() : Promise.reject(new Error("ECONNREFUSED")),
    }],
    probeTimeoutMs: 100,
  });
  const servers = new DownServers();
  const lines: string[] = [];
  const log = {
    info: (m: string) => lines.push(`info ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string) => lines.push(`error ${m}`),
  };
  const controller = new AbortController();
  const watching = watchDownServers({
    health,
    servers,
    everyMs: 10,
    log,
    signal: controller.signal,
  });
  const until = async (want: string[]) => {
    for (let i = 0; i < 100 && servers.get().join() !== want.join(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.deepEqual(servers.get(), want);
  };
  kafkaUp = false;
  await until(["Kafka"]);
  kafkaUp = true;
  await until([]);
  controller.abort();
  await watching;
  assert.deepEqual(lines, ["warn Kafka does not answer", "info Kafka answers again"]);
});
