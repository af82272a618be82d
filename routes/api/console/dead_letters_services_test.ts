/**
 * The dead-letter API against real Kafka, MongoDB and Cassandra: a product
 * refused for its future time is listed, replayed after the bound is raised,
 * processed once, skipped when asked again, and a replay sent around the API
 * is dead-lettered as `duplicate` with its replay header.
 */

import { metricsPort } from "../../../server/metrics/metrics_port.ts";
import { TopicRates } from "../../../server/topic_rates.ts";
import { GroupLagTracker } from "../../../pipeline/lag/group_lag_tracker.ts";
import assert from "node:assert/strict";
import { loadConfig, withConfig } from "../../../config.ts";
import manifest from "../../../fresh.gen.ts";
import { createApp } from "../../../server/app.ts";
import type { AppState } from "../../../server/state.ts";
import { registryPages } from "../../../server/pages.ts";
import { pageHubs } from "../../../server/live_feed.ts";
import { HealthBoard, healthPort } from "../../../server/health.ts";
import { openPipeline, type Pipeline } from "../../../pipeline/wiring.ts";
import { STREAMS } from "../../../pipeline/stream_registry.ts";
import { silentLogger } from "../../../pipeline/logger.ts";
import { StreamProcessor } from "../../../pipeline/processor.ts";
import type { Config } from "../../../config.ts";
import { formatZoneless } from "../../../pipeline/windowing/event_time.ts";
import { replayRecord } from "../../../pipeline/replay.ts";
import { until } from "../../../pipeline/testing/until.ts";
import { isolatedServicesEnv, withAllServices } from "../../../pipeline/testing/services.ts";
import { dropIsolatedRun } from "../../../pipeline/isolated_run.ts";
import type { DeadLetterView } from "../../../server/dead_letter_view.ts";

const WAIT_MS = 90_000;
const products = STREAMS.get("products");

/** Runs the products processor of `config` until `done()` holds. */
async function runUntil(config: Config, pipeline: Pipeline, done: () => Promise<boolean>) {
  const definition = products.definition({ config, ...pipeline });
  const processor = new StreamProcessor(definition, { ...pipeline, log: silentLogger });
  const controller = new AbortController();
  const running = processor.run(products.topics.group, controller.signal, 100);
  try {
    await until(done, WAIT_MS);
  } finally {
    controller.abort();
    await running;
  }
}

await withAllServices(() => {
  Deno.test({
    name:
      "services: a dead letter made valid is listed, replayed once through the API, and a resend is a duplicate",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const env = { ...isolatedServicesEnv("dlq"), STREAMBOARD_STREAMS: "products" };
      const config = loadConfig({ ...Deno.env.toObject(), ...env });
      const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
      const pages = registryPages(STREAMS, { ...pipeline, now: Date.now });
      const state: AppState = {
        config,
        registry: STREAMS,
        ...pipeline,
        pages,
        hubs: pageHubs(pages, config.web),
        log: silentLogger,
        health: healthPort({ board: new HealthBoard(), probes: [], probeTimeoutMs: 1000 }),
        topicRates: new TopicRates(),
        lag: new GroupLagTracker({ sampleMs: config.web.lagSampleMs }),
        metrics: metricsPort({ providers: [], timeoutMs: 1000, log: silentLogger }),
        now: Date.now,
      };
      const app = createApp(manifest, state);
      const list = async (): Promise<DeadLetterView[]> =>
        await (await app.request("/api/console/dead-letters/products")).json();
      const replay = async (body: unknown) =>
        await (await app.request(
          new Request("http://localhost/api/console/dead-letters/products/replay", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          }),
        )).json();
      try {
        const value = new TextEncoder().encode(JSON.stringify({
          id: 1,
          product: "Kitap",
          description: "ciltli",
          price: 10,
          kdv: 0.18,
          timestamp_column: formatZoneless(Date.now() + 3_600_000),
        }));
        await pipeline.broker.produce(products.topics.topic, [{ key: "1", value }]);
        let letters: DeadLetterView[] = [];
        await runUntil(config, pipeline, async () => (letters = await list()).length === 1);
        const [future] = letters;
        assert.equal(future.code, "invalid");
        assert.match(future.reason, /ahead of the processing clock/);
        assert.equal(future.source?.topic, "products");

        const lenient = withConfig(config, {
          streams: { maxFutureMs: { ...config.streams.maxFutureMs, products: 7_200_000 } },
        });
        const position = { partition: future.partition, offset: future.offset };
        assert.deepEqual((await replay({ offsets: [position] })).replayed, [position]);
        await runUntil(lenient, pipeline, async () => (await list())[0].replay !== null);
        assert.deepEqual((await list())[0].replay, { outcome: "processed" });
        assert.equal(await pipeline.raw.count(products.topics.collection), 1);

        const again = await replay({ reason: "invalid" });
        assert.deepEqual(again.replayed, []);
        assert.match(again.skipped[0].why, /already replayed and processed/);

        const [record] = await pipeline.broker.read({
          topic: products.topics.dlqTopic,
          ...position,
          limit: 1,
        });
        await pipeline.broker.produce(products.topics.topic, [replayRecord(record)]);
        await runUntil(lenient, pipeline, async () => (await list()).length === 2);
        const [duplicate] = await list();
        assert.equal(duplicate.code, "duplicate");
        assert.equal(
          duplicate.replayOf,
          `${products.topics.dlqTopic}/${future.partition}/${future.offset}`,
        );
        assert.deepEqual(duplicate.replay, { outcome: "processed" }, "the first outcome stands");
        assert.equal(await pipeline.raw.count(products.topics.collection), 1);
      } finally {
        await pipeline.close();
        await dropIsolatedRun(config);
      }
    },
  });
});
