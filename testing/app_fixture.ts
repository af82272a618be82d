/**
 * A whole StreamBoard app on a temporary data directory, for route, SSE and
 * end-to-end tests: real embedded broker and stores, real processor, no port.
 */

import { type Config, type ConfigChanges, DEFAULTS, withConfig } from "../config.ts";
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
import { withConsolePage } from "../server/console_topics.ts";
import { runTopicSampler, TopicRates } from "../server/topic_rates.ts";
import { GroupLagTracker } from "../pipeline/lag/group_lag_tracker.ts";
import { runLagSampler } from "../server/lag_sampler.ts";
import { GROUPS_PAGE, groupsPage, processorGroups } from "../server/groups_data.ts";
import { consumerLagProvider, recordsInProvider } from "../server/metrics/providers.ts";
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
  /** Stops the processors (they finish their batch and leave their groups), as a crash or an operator would. */
  stopProcessors(): Promise<void>;
  /** Starts the processors again after `stopProcessors`. */
  startProcessors(): void;
  close(): Promise<void>;
}

/** What a test adds to the app besides configuration. */
export interface FixtureOptions {
  /** Pages besides the shipped ones, on the fixture's stores. */
  morePages?(stores: PageStores): Pages;
}

/**
 * Starts the app, the live feed and the processors of `overrides.streams.selected`
 * (only users unless given) on a fresh temporary directory.
 */
export async function startFixture(
  overrides: ConfigChanges = {},
  options: FixtureOptions = {},
): Promise<Fixture> {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-app-" });
  const config: Config = withConfig(
    withConfig(DEFAULTS, {
      stores: { dataDir },
      broker: { pollMs: 5 },
      producer: { enabled: false },
      streams: { selected: ["users"] },
    }),
    overrides,
  );
  const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  const stores: PageStores = { ...pipeline, now: Date.now };
  const topicRates = new TopicRates();
  const lag = new GroupLagTracker({ sampleMs: config.web.lagSampleMs });
  const pages = withConsolePage(
    {
      ...registryPages(STREAMS, stores),
      [GROUPS_PAGE]: groupsPage(lag),
      ...options.morePages?.(stores),
    },
    pipeline.broker,
    topicRates,
  );
  const hubs = pageHubs(pages, config.web);
  const board = new HealthBoard();
  const metrics = appMetrics({
    streams: STREAMS.selected(config),
    ...pipeline,
    hubs,
    log: silentLogger,
    now: Date.now,
    more: [
      consumerLagProvider(() => lag.lagView()),
      recordsInProvider(() => pipeline.broker.describeTopics()),
    ],
  });
  const state: AppState = {
    config,
    registry: STREAMS,
    ...pipeline,
    pages,
    hubs,
    log: silentLogger,
    health: healthPort({
      board,
      probes: [{ name: "broker", check: () => pipeline.broker.partitions(USERS.topic) }],
      probeTimeoutMs: 2000,
      groups: processorGroups(lag, STREAMS.selected(config)),
    }),
    topicRates,
    lag,
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
  const sampler = runTopicSampler({
    broker: pipeline.broker,
    rates: topicRates,
    log: silentLogger,
    signal: controller.signal,
    now: Date.now,
    everyMs: 200,
  });
  const lagSampler = runLagSampler({
    broker: pipeline.broker,
    tracker: lag,
    intervalMs: config.web.lagSampleMs,
    now: Date.now,
    log: silentLogger,
    signal: controller.signal,
  });
  let processors = new AbortController();
  const startProcessing = () =>
    STREAMS.selected(config).map((module) =>
      new StreamProcessor(module.definition({ config, ...pipeline }), {
        ...pipeline,
        log: silentLogger,
        report: (event) => board.report(event),
        observe: (batch) => metrics.pipeline.record(batch, Date.now()),
      }).run(module.topics.group, AbortSignal.any([controller.signal, processors.signal]), 100)
    );
  let processing = startProcessing();
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
    stopProcessors: async () => {
      processors.abort();
      await Promise.all(processing);
    },
    startProcessors: () => {
      processors = new AbortController();
      processing = startProcessing();
    },
    close: async () => {
      controller.abort();
      for (const hub of hubs.values()) hub.close();
      await Promise.all([feed, sampler, lagSampler, ...processing]);
      await pipeline.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
