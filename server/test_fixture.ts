/**
 * A whole StreamBoard app on a temporary data directory, for route, SSE and
 * end-to-end tests: real embedded broker and stores, real processor, no port.
 */

import { type Config, DEFAULTS } from "../config.ts";
import manifest from "../fresh.gen.ts";
import { createApp } from "./app.ts";
import { runLiveFeed } from "./live_feed.ts";
import { usersHub, userStats } from "./users_data.ts";
import type { AppState } from "./state.ts";
import { openPipeline, type Pipeline } from "../pipeline/wiring.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { StreamProcessor } from "../pipeline/processor.ts";
import { USERS, usersStream } from "../pipeline/users/users_stream.ts";
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

/** Starts the app, the live feed and a processor on a fresh temporary directory. */
export async function startFixture(overrides: Partial<Config> = {}): Promise<Fixture> {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-app-" });
  const config: Config = { ...DEFAULTS, dataDir, pollMs: 5, produce: false, ...overrides };
  const pipeline = await openPipeline(config, silentLogger);
  const hub = usersHub(config, pipeline.raw, pipeline.aggregates);
  const state: AppState = { config, ...pipeline, hub, log: silentLogger, now: Date.now };
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
  const processing = new StreamProcessor(usersStream, { ...pipeline, log: silentLogger })
    .run(USERS.group, controller.signal, 100);
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
      hub.close();
      await Promise.all([feed, processing]);
      await pipeline.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
