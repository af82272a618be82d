/**
 * The composition root: reads the configuration, opens the adapters of the
 * configured mode, and runs the web server, the live feed, the processor
 * worker and (unless `STREAMBOARD_PRODUCE=0`) the producer worker.
 */

import { assertSafeToListen, type Config, loadConfig } from "./config.ts";
import manifest from "./fresh.gen.ts";
import { createApp } from "./server/app.ts";
import { type FrontDoor, serveFrontDoor } from "./server/front_door.ts";
import { pageHubs, runLiveFeed } from "./server/live_feed.ts";
import { registryPages } from "./server/pages.ts";
import { boundedReads, lastKnownPages } from "./server/last_known.ts";
import { DownServers, watchDownServers, withDownServers } from "./server/down_servers.ts";
import { withConsolePage } from "./server/console_topics.ts";
import { runTopicSampler, TopicRates } from "./server/topic_rates.ts";
import { type StreamRegistry, STREAMS } from "./pipeline/stream_registry.ts";
import { openPipeline, startCheckpoints } from "./pipeline/wiring.ts";
import { consoleLogger, type Logger } from "./pipeline/logger.ts";
import {
  type ProcessorJob,
  type ProducePlan,
  type ProducerJob,
  startWorker,
  type WorkerHandle,
} from "./pipeline/workers/protocol.ts";
import { delay } from "./pipeline/async.ts";
import { isStreamBoardError, SettingError } from "./pipeline/errors.ts";
import { REJECTED_DIMENSION } from "./pipeline/dead_letter.ts";
import { HealthBoard, healthPort, type Probe } from "./server/health.ts";
import { GroupLagTracker } from "./pipeline/lag/group_lag_tracker.ts";
import { runLagSampler } from "./server/lag_sampler.ts";
import { GROUPS_PAGE, groupsPage, processorGroups } from "./server/groups_data.ts";
import { consumerLagProvider, recordsInProvider } from "./server/metrics/providers.ts";
import { appMetrics } from "./server/metrics/app_metrics.ts";
import type { PipelineMetrics } from "./server/metrics/pipeline_metrics.ts";
import { READ_MODELS, readModelId } from "./pipeline/read_models.ts";

/** A running StreamBoard. */
export interface Running {
  /** Where the dashboard listens, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  /** Stops everything cleanly: viewers, producer, processor, server, stores. */
  stop(): Promise<void>;
}

const PROCESSOR = new URL("./pipeline/workers/processor_worker.ts", import.meta.url);
const PRODUCER = new URL("./pipeline/workers/producer_worker.ts", import.meta.url);
/** Longest wait before a failed processor worker is started again, ms. */
const PROCESSOR_RESTART_MAX_MS = 2_000;
/** How long a stopping processor may take to finish its batch and leave its group. */
const PROCESSOR_STOP_MS = 15_000;
/**
 * Longest wait for a store to answer a page's or `/stats`' read before it counts as down. Pages
 * answer from their last snapshot long before (`ANSWER_BUDGET_MS`); this only has to tell a
 * store that is down (a driver gives up within 5 s) from one that is slow under load.
 */
const WEB_READ_TIMEOUT_MS = 10_000;
/** Longest wait for the broker to describe its topics for the console page; later, the last snapshot is served. */
const CONSOLE_READ_TIMEOUT_MS = 30_000;
/** How often readiness is asked which servers are down, for the pages' connection badges. */
const DOWN_WATCH_MS = 2_000;
/** Longest wait for the broker or a store to answer a readiness probe. */
const PROBE_TIMEOUT_MS = 2_000;

/** What `superviseProcessor` runs and tells. */
interface Supervision {
  job: ProcessorJob;
  /** Which of the stream's workers it is, from 1. */
  worker: number;
  log: Logger;
  health: HealthBoard;
  metrics: PipelineMetrics;
  signal: AbortSignal;
}

/**
 * Keeps one of a stream's processor workers running: a failed worker is
 * logged and started again; what it reports goes to the health board and the
 * metrics.
 */
function superviseProcessor({ job, worker, log, health, metrics, signal }: Supervision): {
  stop(): Promise<void>;
} {
  const id = { stream: job.stream, worker };
  const name = job.worker === undefined ? job.stream : `${job.stream}#${worker}`;
  let current: WorkerHandle | undefined;
  const loop = (async () => {
    let wait = 1000;
    while (!signal.aborted) {
      health.processorStarted(id);
      current = startWorker<ProcessorJob>(PROCESSOR, job, {
        onErrorEvent: (event) => health.report(event, worker),
        onBatchMetrics: (batch) => metrics.record(batch, Date.now()),
        stopTimeoutMs: PROCESSOR_STOP_MS,
        nice: job.config.web.workerNice,
      });
      try {
        await current.done;
        if (signal.aborted) return;
        log.warn(`${name} processor worker stopped by itself; starting it again`);
      } catch (error) {
        if (signal.aborted) return;
        const message = (error as Error).message;
        health.processorFailed(id, message);
        log.error(`${name} processor worker failed: ${message}; restarting in ${wait} ms`);
      }
      await delay(wait, signal);
      // Capped low: a worker that failed through a long outage starts within seconds of the return.
      wait = Math.min(wait * 2, PROCESSOR_RESTART_MAX_MS);
    }
  })();
  return {
    stop: async () => {
      await current?.stop();
      await loop;
    },
  };
}

/** What `superviseProducer` runs and tells. */
interface ProducerSupervision {
  job: ProducerJob;
  log: Logger;
  health: HealthBoard;
  signal: AbortSignal;
}

/**
 * Keeps the built-in producer running: it waits out broker outages itself
 * (reported to the health board, so `/readyz` names the broker); a worker that
 * fails anyway (the broker was down when it started) is logged and started
 * again with a capped backoff, with fresh seeds so it never repeats the
 * records it already sent.
 */
function superviseProducer({ job, log, health, signal }: ProducerSupervision): {
  stop(): Promise<void>;
} {
  let current: WorkerHandle | undefined;
  const loop = (async () => {
    let wait = 500;
    for (let run = 0; !signal.aborted; run++) {
      const plans = job.plans.map((plan) =>
        plan.source.kind === "generator" && run > 0
          ? { ...plan, source: { ...plan.source, seed: plan.source.seed + run * 7919 } }
          : plan
      );
      current = startWorker<ProducerJob>(PRODUCER, { ...job, plans }, {
        nice: job.config.web.workerNice,
        onOutage: (outage) =>
          health.outage(
            "producer",
            outage && { server: outage.service, since: outage.since, error: outage.error },
          ),
      });
      try {
        await current.done;
        return;
      } catch (error) {
        if (signal.aborted) return;
        const message = (error as Error).message;
        const server = serverNames(job.config).broker;
        health.outage("producer", { server, since: Date.now(), error: message });
        log.error(`producer failed: ${message}; starting it again in ${wait} ms`);
      }
      await delay(wait, signal);
      wait = Math.min(wait * 2, 5_000);
    }
  })();
  return {
    stop: async () => {
      await current?.stop();
      await loop;
    },
  };
}

/** The server behind the broker and each store in `config`'s mode, as `/readyz` names them. */
function serverNames(config: Config): { broker: string; raw: string; aggregates: string } {
  return config.mode === "embedded"
    ? { broker: "the embedded log", raw: "SQLite", aggregates: "SQLite" }
    : { broker: "Kafka", raw: "MongoDB", aggregates: "Cassandra" };
}

/**
 * Starts StreamBoard with `config`, running the streams of `registry` that
 * the configuration selects.
 *
 * @throws {SettingError} for a setting that is unsafe or names no stream, naming the setting
 */
export async function start(config: Config, registry: StreamRegistry): Promise<Running> {
  assertSafeToListen(config);
  const streams = registry.selected(config);
  const log = consoleLogger("web");
  const pipeline = await openPipeline({ config, registry, log });
  const topicRates = new TopicRates();
  const lag = new GroupLagTracker({ sampleMs: config.web.lagSampleMs });
  const servers = serverNames(config);
  // The web reads the stores with a time limit, so a page or /stats never hangs on one that is down.
  const webStores = {
    raw: boundedReads(pipeline.raw, { server: servers.raw, timeoutMs: WEB_READ_TIMEOUT_MS }),
    aggregates: boundedReads(pipeline.aggregates, {
      server: servers.aggregates,
      timeoutMs: WEB_READ_TIMEOUT_MS,
    }),
  };
  const down = new DownServers();
  // Every page answers from its last snapshot when a read is slow or its server is down, and names the servers down.
  const pages = withDownServers(
    lastKnownPages(
      withConsolePage(
        {
          ...registryPages(registry, { ...webStores, now: Date.now }),
          [GROUPS_PAGE]: groupsPage(lag),
        },
        // Describing every topic of a busy shared cluster takes seconds: a longer limit than the stores'.
        boundedReads(pipeline.broker, {
          server: servers.broker,
          timeoutMs: CONSOLE_READ_TIMEOUT_MS,
        }),
        topicRates,
      ),
      { now: Date.now },
    ),
    down,
  );
  const hubs = pageHubs(pages, config.web);
  const board = new HealthBoard();
  const probed = streams[0];
  const probes: Probe[] = [
    {
      name: "broker",
      server: servers.broker,
      check: () => pipeline.broker.partitions(probed.topics.topic),
    },
    // A small collection: a MongoDB-wire server without usable indexes scans the one it reads.
    {
      name: "raw store",
      server: servers.raw,
      check: () => pipeline.raw.get(READ_MODELS, readModelId(probed.name, 0)),
    },
    {
      name: "aggregate store",
      server: servers.aggregates,
      check: () => pipeline.aggregates.totals(probed.name, REJECTED_DIMENSION),
    },
  ];
  const health = healthPort({
    board,
    probes,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
    groups: processorGroups(lag, streams),
  });
  const metrics = appMetrics({
    streams,
    ...pipeline,
    hubs,
    log,
    now: Date.now,
    more: [
      consumerLagProvider(() => lag.lagView()),
      recordsInProvider(() => pipeline.broker.describeTopics()),
    ],
  });
  const app = createApp(manifest, {
    config,
    registry,
    ...pipeline,
    ...webStores,
    pages,
    hubs,
    log,
    health,
    topicRates,
    lag,
    metrics: metrics.port,
    now: Date.now,
  });
  let server: FrontDoor;
  try {
    server = serveFrontDoor({
      hostname: config.web.host,
      port: config.web.port,
      headerTimeoutMs: config.web.headerTimeoutMs,
      keepAliveTimeoutMs: config.web.keepAliveTimeoutMs,
      maxConnections: config.web.maxConnections,
      log,
    }, (req, client) => app.fetch(req, client));
  } catch (error) {
    await pipeline.close();
    if (error instanceof Deno.errors.AddrInUse) {
      throw new SettingError(
        "PORT",
        `${config.web.host}:${config.web.port} is already in use (another StreamBoard?); set PORT to a free port`,
      );
    }
    throw error;
  }
  const checkpoints = startCheckpoints(config, log);
  const { hostname, port } = server.addr;
  const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}/`;
  const controller = new AbortController();
  const feed = runLiveFeed({
    broker: pipeline.broker,
    pages,
    hubs,
    log,
    signal: controller.signal,
    latency: metrics.pipeline,
  });
  const sampler = runTopicSampler({
    broker: pipeline.broker,
    rates: topicRates,
    log,
    signal: controller.signal,
    now: Date.now,
  });
  const downWatch = watchDownServers({
    health,
    servers: down,
    everyMs: DOWN_WATCH_MS,
    log,
    signal: controller.signal,
  }).catch((error) => log.error(`the watch of servers down failed: ${error.stack ?? error}`));
  const lagSampler = runLagSampler({
    broker: pipeline.broker,
    tracker: lag,
    intervalMs: config.web.lagSampleMs,
    now: Date.now,
    log,
    signal: controller.signal,
  }).catch((error) => log.error(`consumer lag sampler failed: ${error.stack ?? error}`));
  const processors = streams.flatMap((module) =>
    Array.from({ length: config.processor.workers }, (_, i) =>
      superviseProcessor({
        job: {
          config,
          registry: registry.ref,
          stream: module.name,
          // Named in the logs only when there is more than one.
          ...(config.processor.workers > 1 ? { worker: i + 1 } : {}),
        },
        worker: i + 1,
        log,
        health: board,
        metrics: metrics.pipeline,
        signal: controller.signal,
      }))
  );
  // A fresh stream whose source backfills (sales) starts in the past, so its long charts fill at once.
  const isEmpty = async (collection: string) =>
    (await pipeline.raw.list(collection, { limit: 1 })).items.length === 0;
  const seed = config.producer.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
  const produced = streams.filter((module) => !module.source.fedBy);
  const plans = await Promise.all(produced.map(async (module, i): Promise<ProducePlan> => ({
    stream: module.name,
    source: {
      kind: "generator",
      seed: seed + i,
      history: module.source.backfill === true && await isEmpty(module.topics.collection),
    },
    rate: config.producer.rate,
  })));
  const producer = config.producer.enabled
    ? superviseProducer({
      job: { config, registry: registry.ref, plans },
      log,
      health: board,
      signal: controller.signal,
    })
    : undefined;
  log.info(
    `StreamBoard (${config.mode}) on ${url} · data in ${config.stores.dataDir} · streams ${
      streams.map((m) => m.name).join(", ")
    } · producer ${config.producer.enabled ? `on at ${config.producer.rate}/s per stream` : "off"}`,
  );

  let stopping: Promise<void> | undefined;
  return {
    url,
    stop: () =>
      stopping ??= (async () => {
        controller.abort();
        for (const hub of hubs.values()) hub.close();
        await producer?.stop();
        await Promise.all(processors.map((p) => p.stop()));
        await server.shutdown();
        await Promise.all([feed, sampler, lagSampler, downWatch]);
        await pipeline.close();
        await checkpoints?.stop();
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
    running = await start(config, STREAMS);
  } catch (error) {
    // A setting to fix is said in one line; anything else is a bug, with its stack.
    if (!isStreamBoardError(error) || error.retriable) throw error;
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
