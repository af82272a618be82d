/**
 * A whole StreamBoard app on a temporary data directory, for route, SSE and
 * end-to-end tests: real embedded broker and stores, real processor, no port.
 */

import { type Config, DEFAULTS } from "../config.ts";
import manifest from "../fresh.gen.ts";
import { createApp } from "../server/app.ts";
import { runLiveFeed } from "../server/live_feed.ts";
import { usersHub, userStats } from "../server/users_data.ts";
import type { AppState } from "../server/state.ts";
import { openPipeline, type Pipeline } from "../pipeline/wiring.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { StreamProcessor } from "../pipeline/processor.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { dashboardHubs, dashboardReads, runDashboardFeed } from "../server/dashboard_feed.ts";
import type { RandomUserRecord } from "../pipeline/users/randomuser.ts";
import { delay } from "../pipeline/async.ts";

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

/**
 * Starts the app, the live feeds and the processors of `overrides.streams`
 * (only users unless given) on a fresh temporary directory.
 */
export async function startFixture(overrides: Partial<Config> = {}): Promise<Fixture> {
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
  const hub = usersHub(config, pipeline.raw, pipeline.aggregates);
  const reads = dashboardReads(pipeline.raw, pipeline.aggregates, Date.now);
  const hubs = dashboardHubs(config, reads);
  const state: AppState = {
    config,
    ...pipeline,
    hub,
    hubs,
    reads,
    log: silentLogger,
    now: Date.now,
  };
  const app = createApp(manifest, state);
  const controller = new AbortController();
  let feedReady!: () => void;
  const ready = new Promise<void>((resolve) => (feedReady = resolve));
  const feed = runLiveFeed({
    ...pipeline,
    hub,
    log: silentLogger,
    signal: controller.signal,
    statsIntervalMs: 10,
    onReady: feedReady,
  });
  let dashboardsReady!: () => void;
  const dashboardsFollowing = new Promise<void>((resolve) => (dashboardsReady = resolve));
  const dashboardFeed = runDashboardFeed({
    broker: pipeline.broker,
    hubs,
    reads,
    log: silentLogger,
    signal: controller.signal,
    intervalMs: 10,
    onReady: dashboardsReady,
  });
  const processing = STREAMS.selected(config).map((module) =>
    new StreamProcessor(module.definition({ config, ...pipeline }), {
      ...pipeline,
      log: silentLogger,
    }).run(module.topics.group, controller.signal, 100)
  );
  await Promise.all([ready, dashboardsFollowing]);
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
      hub.close();
      for (const h of Object.values(hubs)) h.close();
      await Promise.all([feed, dashboardFeed, ...processing]);
      await pipeline.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
