/**
 * The composition root: reads the configuration, opens the adapters of the
 * configured mode, and runs the web server, the live feed, the processor
 * worker and (unless `STREAMBOARD_PRODUCE=0`) the producer worker.
 */

import { assertSafeToListen, type Config, loadConfig } from "./config.ts";
import manifest from "./fresh.gen.ts";
import { createApp } from "./server/app.ts";
import { type FrontDoor, serveFrontDoor } from "./server/front_door.ts";
import { runLiveFeed } from "./server/live_feed.ts";
import { usersHub } from "./server/users_data.ts";
import { dashboardHubs, dashboardReads, runDashboardFeed } from "./server/dashboard_feed.ts";
import { SALES } from "./pipeline/sales/sales_stream.ts";
import type { StreamName } from "./pipeline/stream_names.ts";
import { STREAM_SOURCES } from "./pipeline/streams.ts";
import { openPipeline } from "./pipeline/wiring.ts";
import { consoleLogger, type Logger } from "./pipeline/logger.ts";
import {
  type ProcessorJob,
  type ProducePlan,
  type ProducerJob,
  startWorker,
  type WorkerHandle,
} from "./pipeline/workers/protocol.ts";
import { delay } from "./pipeline/async.ts";

/** A running StreamBoard. */
export interface Running {
  /** Where the dashboard listens, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  /** Stops everything cleanly: viewers, producer, processor, server, stores. */
  stop(): Promise<void>;
}

const PROCESSOR = new URL("./pipeline/workers/processor_worker.ts", import.meta.url);
const PRODUCER = new URL("./pipeline/workers/producer_worker.ts", import.meta.url);
/** How long a stopping processor may take to finish its batch and leave its group. */
const PROCESSOR_STOP_MS = 15_000;

/** Keeps a stream's processor worker running: a failed worker is logged and started again. */
function superviseProcessor(
  config: Config,
  stream: StreamName,
  log: Logger,
  signal: AbortSignal,
): {
  stop(): Promise<void>;
} {
  let current: WorkerHandle | undefined;
  const loop = (async () => {
    let wait = 1000;
    while (!signal.aborted) {
      current = startWorker<ProcessorJob>(
        PROCESSOR,
        { config, stream },
        undefined,
        PROCESSOR_STOP_MS,
      );
      try {
        await current.done;
        if (signal.aborted) return;
        log.warn(`${stream} processor worker stopped by itself; starting it again`);
      } catch (error) {
        log.error(
          `${stream} processor worker failed: ${
            (error as Error).message
          }; restarting in ${wait} ms`,
        );
      }
      await delay(wait, signal);
      wait = Math.min(wait * 2, 30_000);
    }
  })();
  return {
    stop: async () => {
      await current?.stop();
      await loop;
    },
  };
}

/** Starts StreamBoard with `config`. */
export async function start(config: Config): Promise<Running> {
  assertSafeToListen(config);
  const log = consoleLogger("web");
  const pipeline = await openPipeline(config, log);
  const hub = usersHub(config, pipeline.raw, pipeline.aggregates);
  const reads = dashboardReads(pipeline.raw, pipeline.aggregates, Date.now);
  const hubs = dashboardHubs(config, reads);
  const app = createApp(manifest, { config, ...pipeline, hub, hubs, reads, log, now: Date.now });
  let server: FrontDoor;
  try {
    server = serveFrontDoor({
      hostname: config.host,
      port: config.port,
      headerTimeoutMs: config.headerTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      maxConnections: config.maxConnections,
      log,
    }, (req, client) => app.fetch(req, client));
  } catch (error) {
    await pipeline.close();
    if (error instanceof Deno.errors.AddrInUse) {
      throw new RangeError(
        `${config.host}:${config.port} is already in use (another StreamBoard?); set PORT to a free port`,
      );
    }
    throw error;
  }
  const { hostname, port } = server.addr;
  const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}/`;
  const controller = new AbortController();
  const feed = runLiveFeed({ ...pipeline, hub, log, signal: controller.signal });
  const dashboardFeed = runDashboardFeed({
    broker: pipeline.broker,
    hubs,
    reads,
    log,
    signal: controller.signal,
  });
  const processors = config.streams.map((stream) =>
    superviseProcessor(config, stream, log, controller.signal)
  );
  // A fresh sales stream starts a year back, so its monthly line fills at once.
  const salesHistory = (await pipeline.raw.list(SALES.collection, { limit: 1 })).items.length === 0;
  const seed = config.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
  const plans = config.streams.filter((stream) => !STREAM_SOURCES[stream].fedBy).map((
    stream,
    i,
  ): ProducePlan => ({
    stream,
    source: { kind: "generator", seed: seed + i, history: stream === "sales" && salesHistory },
    rate: config.produceRate,
  }));
  const producer = config.produce
    ? startWorker<ProducerJob>(PRODUCER, { config, plans })
    : undefined;
  producer?.done.catch((error) => log.error(`producer failed: ${error.message}`));
  log.info(
    `StreamBoard (${config.mode}) on ${url} · data in ${config.dataDir} · streams ${
      config.streams.join(", ")
    } · producer ${config.produce ? `on at ${config.produceRate}/s per stream` : "off"}`,
  );

  let stopping: Promise<void> | undefined;
  return {
    url,
    stop: () =>
      stopping ??= (async () => {
        controller.abort();
        hub.close();
        for (const dashboardHub of Object.values(hubs)) dashboardHub.close();
        await producer?.stop();
        await Promise.all(processors.map((p) => p.stop()));
        await server.shutdown();
        await Promise.all([feed, dashboardFeed]);
        await pipeline.close();
      })(),
  };
}

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig(Deno.env.toObject());
    assertSafeToListen(config);
  } catch (error) {
    console.error(`streamboard: ${(error as Error).message}`);
    Deno.exit(2);
  }
  let running: Running;
  try {
    running = await start(config);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    console.error(`streamboard: ${error.message}`);
    Deno.exit(2);
  }
  const shutdown = async (signal: string) => {
    console.log(`${signal}: stopping (finishing the batch in hand)…`);
    await running.stop();
    console.log("stopped cleanly");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => shutdown("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => shutdown("SIGTERM"));
}
