/**
 * A whole StreamBoard app on a temporary data directory, for route, SSE and
 * end-to-end tests: real embedded broker and stores, real processor, no port.
 */

import { type Config, DEFAULTS } from "../config.ts";
import manifest from "../fresh.gen.ts";
import { createApp } from "../server/app.ts";
import { pageHubs, runLiveFeed } from "../server/live_feed.ts";
import { userStats } from "../server/users_data.ts";
import { type PageStores, registryPages } from "../server/pages.ts";
import type { Pages } from "../server/dashboards.ts";
import type { AppState } from "../server/state.ts";
import { openPipeline, type Pipeline } from "../pipeline/wiring.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { StreamProcessor } from "../pipeline/processor.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import type { RandomUserRecord } from "../pipeline/users/randomuser.ts";
import { delay } from "../pipeline/async.ts";
import { HealthBoard, healthPort } from "../server/health.ts";
import { appMetrics } from "../server/metrics/app_metrics.ts";

/** A running app for tests. */
export interface Fixture {
  app: ReturnType<typeof createApp>;
  state: AppState;
  pipeline: Pipeline;
  /** Produces records to the users topic as `POST /add_user` would. */
  produce(records: unknown[], timestamp?: number): Promise<void>;
  /** Waits until the raw store holds `count` users and the aggregates count them. */
  waitForUsers(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What a test adds to the app besides configuration. */
export interface FixtureOptions {
  /** Pages besides the shipped ones, on the fixture's stores. */
  morePages?(stores: PageStores): Pages;
}

/**
 * Starts the app, the live feed and the processors of `overrides.streams`
 * (only users unless given) on a fresh temporary directory.
 */
export async function startFixture(
  overrides: Partial<Config> = {},
  options: FixtureOptions = {},
): Promise<Fixture> {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-app-" });
  const config: Config = {
    ...DEFAULTS,
    dataDir,
    pollMs: 5,
    produce: false,
    streams: ["users"],
    ...overrides,
  };
  const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  const stores: PageStores = { ...pipeline, now: Date.now };
  const pages = { ...registryPages(STREAMS, stores), ...options.morePages?.(stores) };
  const hubs = pageHubs(pages, config);
  const board = new HealthBoard();
  const metrics = appMetrics({
    streams: STREAMS.selected(config),
    ...pipeline,
    hubs,
    log: silentLogger,
    now: Date.now,
  });
  const state: AppState = {
    config,
    ...pipeline,
    pages,
    hubs,
    log: silentLogger,
    health: healthPort({
      board,
      probes: [{ name: "broker", check: () => pipeline.broker.partitions(USERS.topic) }],
      probeTimeoutMs: 2000,
    }),
    metrics: metrics.port,
    now: Date.now,
  };
  const app = createApp(manifest, state);
  const controller = new AbortController();
  let feedReady!: () => void;
  const ready = new Promise<void>((resolve) => (feedReady = resolve));
  const feed = runLiveFeed({
    broker: pipeline.broker,
    pages,
    hubs,
    log: silentLogger,
    signal: controller.signal,
    intervalMs: 10,
    onReady: feedReady,
    latency: metrics.pipeline,
  });
  const processing = STREAMS.selected(config).map((module) =>
    new StreamProcessor(module.definition({ config, ...pipeline }), {
      ...pipeline,
      log: silentLogger,
      report: (event) => board.report(event),
      observe: (batch) => metrics.pipeline.record(batch, Date.now()),
    }).run(module.topics.group, controller.signal, 100)
  );
  await ready;
  const encoder = new TextEncoder();
  return {
    app,
    state,
    pipeline,
    produce: (records, timestamp = Date.now()) =>
      pipeline.broker.produce(
        USERS.topic,
        records.map((r) => ({
          key: (r as RandomUserRecord)?.login?.uuid ?? null,
          value: encoder.encode(typeof r === "string" ? r : JSON.stringify(r)),
          timestamp,
        })),
      ),
    waitForUsers: async (count, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      const counted = async () =>
        (await pipeline.raw.count(USERS.collection)) >= count &&
        (await userStats(pipeline.aggregates)).total >= count;
      while (!(await counted())) {
        if (Date.now() > deadline) {
          throw new Error(`fewer than ${count} users after ${timeoutMs} ms`);
        }
        await delay(5);
      }
    },
    close: async () => {
      controller.abort();
      for (const hub of hubs.values()) hub.close();
      await Promise.all([feed, ...processing]);
      await pipeline.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
