import assert from "node:assert/strict";
import { DEFAULTS } from "../config.ts";
import { openStream, type StreamModule, topicsNamed } from "./stream_module.ts";
import { temperaturesModule } from "./testing/extra_stream/temperatures.ts";
import { silentLogger } from "./logger.ts";
import type { AggregateStore, RawStore } from "./ports.ts";

const context = {
  config: DEFAULTS,
  raw: {} as RawStore,
  aggregates: {} as AggregateStore,
  log: silentLogger,
};

Deno.test("a stream's output receives what its processor accepts and is closed with it", async () => {
  const closed: string[] = [];
  const sink = { name: "the test archive", write: () => Promise.resolve() };
  const module: StreamModule = {
    ...temperaturesModule,
    output: () => ({ sink, close: () => (closed.push("output"), Promise.resolve()) }),
  };
  const opened = openStream(module, context);
  assert.deepEqual(opened.definition.sinks, [sink]);
  assert.deepEqual(closed, []);
  await opened.close();
  assert.deepEqual(closed, ["output"]);
});

Deno.test("a stream without an output runs its definition as it is", async () => {
  const opened = openStream(temperaturesModule, context);
  assert.equal(opened.definition.sinks, undefined);
  assert.equal(opened.definition.topic, "temperatures");
  await opened.close();
});

Deno.test("a new stream's topics, collection and group are named after it", () => {
  assert.deepEqual(topicsNamed("temperatures"), {
    topic: "temperatures",
    dlqTopic: "temperatures.dlq",
    liveTopic: "temperatures.live",
    collection: "temperatures",
    group: "streamboard-temperatures",
  });
});
