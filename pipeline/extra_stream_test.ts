/**
 * Adding a stream is one folder plus one line: a registry holding the
 * shipped streams and a test-only temperatures stream gets, with no other
 * file changed, its topics created by the topics tool, its records produced
 * by the producer worker, processed by a processor worker (embedded mode),
 * stored raw, averaged in the aggregate store, and its bad records
 * dead-lettered with their reason.
 */

import assert from "node:assert/strict";
import { type Config, DEFAULTS, withConfig } from "../config.ts";
import { createTopics } from "../scripts/topics.ts";
import { type ProcessorJob, type ProducerJob, startWorker } from "./workers/protocol.ts";
import { openPipeline } from "./wiring.ts";
import { silentLogger } from "./logger.ts";
import { streamSettings } from "./stream_module.ts";
import type { BrokerRecord } from "./ports.ts";
import { WITH_TEMPERATURES } from "./testing/extra_stream/registry.ts";
import {
  MEAN_DIMENSION,
  TEMPERATURE_WINDOW_MS,
  temperaturesModule,
} from "./testing/extra_stream/temperatures.ts";
import { until } from "./testing/until.ts";

const PRODUCER = new URL("./workers/producer_worker.ts", import.meta.url);
const PROCESSOR = new URL("./workers/processor_worker.ts", import.meta.url);
const GOOD = 60;

Deno.test("a registered extra stream gets topics, production, processing, storage, aggregates and dead letters", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-extra-stream-" });
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    broker: { pollMs: 5, partitions: 2 },
    producer: { enabled: false },
    streams: { selected: ["temperatures"] },
  });
  const registry = WITH_TEMPERATURES;
  const topics = temperaturesModule.topics;
  assert.deepEqual(registry.names, [...registry.names.slice(0, -1), "temperatures"]);
  assert.deepEqual(registry.selected(config), [temperaturesModule]);
  assert.deepEqual(
    streamSettings(temperaturesModule, config),
    { outOfOrdernessMs: 2000, allowedLatenessMs: 30_000, maxFutureMs: 60_000 },
    "a stream the configuration does not name brings its own defaults",
  );

  const pipeline = await openPipeline({ config, registry, log: silentLogger });

  // The topics tool creates its topics beside the shipped streams'.
  const report = await createTopics({ config, registry, log: silentLogger });
  const wanted = (name: string) => report.find((t) => t.name === name);
  assert.deepEqual(wanted(topics.topic), { name: "temperatures", partitions: 2, wanted: 2 });
  assert.deepEqual(wanted(topics.dlqTopic), { name: "temperatures.dlq", partitions: 1, wanted: 1 });
  assert.deepEqual(wanted(topics.liveTopic), {
    name: "temperatures.live",
    partitions: 1,
    wanted: 1,
  });
  assert.ok(wanted("users"), "the shipped streams' topics too");

  const deadLetters: BrokerRecord[] = [];
  const tailing = new AbortController();
  const { promise: tailReady, resolve: onReady } = Promise.withResolvers<void>();
  const tail = pipeline.broker.tail({
    topics: [topics.dlqTopic],
    signal: tailing.signal,
    handle: (batch) => void deadLetters.push(...batch.records),
    onReady,
  });
  await tailReady;
  const processor = startWorker<ProcessorJob>(PROCESSOR, {
    config,
    registry: registry.ref,
    stream: "temperatures",
  });
  try {
    // The producer worker loads the same registry by reference and runs the stream's generator.
    const sent = await startWorker<ProducerJob>(PRODUCER, {
      config,
      registry: registry.ref,
      plans: [{
        stream: "temperatures",
        source: { kind: "generator", seed: 7 },
        rate: 0,
        count: GOOD,
      }],
    }).done;
    assert.equal(sent, GOOD);
    const encoder = new TextEncoder();
    const timestamp = Date.now();
    await pipeline.broker.produce(
      topics.topic,
      [
        `{"sensor":"north","celsius":"warm","timestamp":"${new Date().toISOString()}"}`,
        `{"sensor":"north","celsius":-300,"timestamp":"${new Date().toISOString()}"}`,
        `{"sensor":"north","celsius":20`,
      ].map((text) => ({ key: "north", value: encoder.encode(text), timestamp })),
    );

    await until(
      async () =>
        (await pipeline.raw.count(topics.collection)) === GOOD && deadLetters.length === 3,
      30_000,
    );

    // Stored raw, with the derived field.
    const stored = (await pipeline.raw.between(topics.collection, 0, Date.now() + 60_000))
      .map((d) => d.doc);
    assert.equal(stored.length, GOOD);
    for (const doc of stored) {
      assert.equal(doc.fahrenheit, Number(doc.celsius) * 9 / 5 + 32);
    }

    // Every window each partition's watermark passed holds the mean of its stored readings.
    const expected = new Map<string, { sum: number; count: number }>();
    const maxTs = new Map<number, number>();
    for (const doc of stored) {
      const partition = Number(doc.partition), ts = Number(doc.ts);
      const start = Math.floor(ts / TEMPERATURE_WINDOW_MS) * TEMPERATURE_WINDOW_MS;
      const cell = expected.get(`${partition}/${start}`) ?? { sum: 0, count: 0 };
      cell.sum += Math.round(Number(doc.celsius) * 1000);
      cell.count++;
      expected.set(`${partition}/${start}`, cell);
      maxTs.set(partition, Math.max(maxTs.get(partition) ?? -Infinity, ts));
    }
    const fired = [...expected.keys()].filter((key) => {
      const [partition, start] = key.split("/").map(Number);
      return start + TEMPERATURE_WINDOW_MS - 1 <= maxTs.get(partition)! - 2000;
    });
    assert.ok(fired.length >= 4, `several windows fired, got ${fired.length}`);
    await until(async () => {
      const rows = await Promise.all(
        [0, 1].map((partition) =>
          pipeline.aggregates.read({
            stream: "temperatures",
            dimension: MEAN_DIMENSION,
            partition,
            windowStarts: fired.filter((k) => k.startsWith(`${partition}/`)).map((k) =>
              Number(k.split("/")[1])
            ),
          })
        ),
      );
      return rows.flat().length === fired.length;
    }, 10_000);
    for (const key of fired) {
      const [partition, start] = key.split("/").map(Number);
      const [row] = await pipeline.aggregates.read({
        stream: "temperatures",
        dimension: MEAN_DIMENSION,
        partition,
        windowStarts: [start],
      });
      const { sum, count } = expected.get(key)!;
      assert.equal(row.value, BigInt(Math.round(sum / count)), `mean of window ${key}`);
    }

    // Bad records are dead-lettered with their reason, naming the field.
    const reasons = deadLetters.map((r) => [r.headers["error.code"], r.headers["error.field"]]);
    assert.deepEqual(reasons, [["invalid", "celsius"], ["invalid", "celsius"], [
      "invalid",
      undefined,
    ]]);
  } finally {
    await processor.stop();
    tailing.abort();
    await tail;
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
