/**
 * `deno task bench`: end-to-end throughput and produce-to-SSE latency of the
 * pipeline, printed with the conditions and ending with one JSON line.
 *
 *   deno task bench [--mode embedded|services] [--stream all|users|sales|...] [--users 100000]
 *                   [--rate 1000] [--seconds 10] [--runs 3] [--skip-latency] [--viewers N]
 *                   [--reads N] [--processors N [--backlog 200000]] [--instances N]
 *
 * With `--viewers N` the run is N concurrent SSE viewers of the users page
 * while `rate` users/s are produced for `seconds` (see `bench_viewers.ts`),
 * instead of the throughput and latency runs; then the machine's fan-out
 * floor for as many sockets and chunks of the same size (see
 * `fanout_floor.ts`), and the delivery p99 as a multiple of it; both are
 * repeated `--runs` times and summarised as medians with min and max.
 *
 * Floor, per stream (see `bench_floor.ts`): the machine's one-thread floor
 * for the stream's records, measured in the same run just before the
 * stream's throughput, so both see the same machine; each run's end-to-end
 * rate is also reported as a multiple of the floor measured just before it.
 * Every figure is the median of `--runs` runs, printed with its min and max.
 * Disk: at the end of each users throughput run, while the processor still
 * runs, the bytes of the data directory
 * (log, store and their write-ahead logs) per stored user. Peak RSS: the
 * bench process's (the workers run in it) resident memory, sampled while
 * the pipeline runs.
 * Throughput, per stream: the processor worker starts and processes a
 * warm-up of 1,000 records; then N generated records are produced as fast as
 * possible by the producer worker while the processor consumes, and the clock
 * stops when the stores count all N (every record stored and aggregated, or
 * for products stored and windowed). The backlog rate is how fast the
 * processor drained what was left when the producer finished. With
 * `--instances N` each stream runs N processor workers in one consumer
 * group, sharing its partitions.
 * Latency: the full app (web + processor workers) with an SSE client on
 * `/api/stream/users`; after a one-second warm-up the producer sends `rate` users/s
 * for `seconds`; each user's latency is the time from its produce timestamp
 * to its first showing in the page's list over SSE (updates are coalesced, so
 * at high rates a user that never was among the newest at an update is not
 * measured: `measured` counts those that were).
 * Reads (`--reads N`): N stored profiles in each mode, every page read timed
 * (see `bench_reads.ts`).
 * Scale-out (`--processors N`): a users backlog drained in the mode given by 1
 * to N processor processes of one group, with their own CPU per record (see
 * `bench_scale.ts`).
 * In services mode every run has topics, a database and a keyspace of its
 * own, deleted afterwards.
 */

import { parseArgs } from "node:util";
import { type Config, type ConfigChanges, loadConfig, withConfig } from "../config.ts";
import { start } from "../main.ts";
import { type ProcessorJob, type ProducerJob, startWorker } from "../pipeline/workers/protocol.ts";
import { openPipeline, type Pipeline } from "../pipeline/wiring.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { userStats } from "../server/users_data.ts";
import { delay } from "../pipeline/async.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import type { StreamModule, StreamName } from "../pipeline/stream_module.ts";
import { checkpointId, CHECKPOINTS } from "../pipeline/processor.ts";
import { dropIsolatedRun } from "../pipeline/isolated_run.ts";
import { countOf, grandTotal } from "../pipeline/aggregate_sums.ts";
import { runFloor } from "./bench_floor.ts";
import { generatedRecords } from "../pipeline/sources/generator_source.ts";
import { benchViewers, describeViewers, type ViewersFigures } from "./bench_viewers.ts";
import { describeFanoutFloor, type FanoutFloor, measureFanoutFloor } from "./fanout_floor.ts";
import { benchReads, isolatedConfig, type ReadTime } from "./bench_reads.ts";
import { benchScale, describeScale, type ScaleRun } from "./bench_scale.ts";
import type { LatencyFigures } from "../client/latency_window.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    users: { type: "string", default: "100000" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    mode: { type: "string", default: "embedded" },
    stream: { type: "string", default: "all" },
    runs: { type: "string", default: "3" },
    "skip-latency": { type: "boolean", default: false },
    viewers: { type: "string" },
    reads: { type: "string" },
    processors: { type: "string" },
    instances: { type: "string", default: "1" },
    backlog: { type: "string", default: "200000" },
  },
});
const BENCHED: StreamModule[] = args.stream === "all"
  ? [...STREAMS.modules]
  : STREAMS.has(args.stream)
  ? [STREAMS.get(args.stream)]
  : (() => {
    console.error(`bench: --stream must be "all" or one of ${STREAMS.names.join(", ")}`);
    Deno.exit(2);
  })();
const USERS = Number(args.users);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const RUNS = Number(args.runs);
/** Processor workers per stream in the throughput runs, members of one consumer group. */
const INSTANCES = Number(args.instances);
if (!Number.isInteger(INSTANCES) || INSTANCES < 1 || INSTANCES > 16) {
  console.error(`bench: --instances must be a whole number from 1 to 16, got "${args.instances}"`);
  Deno.exit(2);
}
/** Records a throughput run processes before its clock starts. */
const WARM_UP = 1000;

const PROCESSOR = new URL("../pipeline/workers/processor_worker.ts", import.meta.url);
const PRODUCER = new URL("../pipeline/workers/producer_worker.ts", import.meta.url);

/** A configuration of its own per run: a fresh data dir, or fresh topics, database and keyspace. */
function baseConfig(dataDir: string): Config {
  const env = Deno.env.toObject();
  const run = crypto.randomUUID().slice(0, 8);
  const config = loadConfig({ ...env, STREAMBOARD_MODE: args.mode });
  const fresh: ConfigChanges = config.mode === "services"
    ? {
      broker: { namespace: `bench-${run}.` },
      stores: { mongodbDb: `bench_${run}`, cassandraKeyspace: `bench_${run}` },
    }
    : {};
  return withConfig(withConfig(config, fresh), {
    stores: { dataDir },
    producer: { enabled: false },
    web: { port: 0 },
  });
}

/** Deletes a run's data dir, and in services mode its topics, database and keyspace. */
async function dropRun(config: Config): Promise<void> {
  await Deno.remove(config.stores.dataDir, { recursive: true });
  if (config.mode === "services") await dropIsolatedRun(config);
}

/** How many records of a stream the stores hold, processed through to its aggregates. */
async function processed(
  module: StreamModule,
  config: Config,
  pipeline: Pipeline,
): Promise<number> {
  const stream = module.name;
  const sum = async (dimension: string) =>
    countOf(grandTotal(await pipeline.aggregates.totals(stream, dimension)));
  switch (stream) {
    case "users":
      return (await userStats(pipeline.aggregates)).total;
    case "sales":
      return await sum("all_tx");
    case "clicks":
    case "views":
    case "ratings":
      return await sum("count");
    default: {
      // From its checkpoints (a fresh topic of valid records), which every
      // windowed stream saves: counting the documents would scan the
      // collection on FerretDB while it is timed.
      let n = 0;
      for (let partition = 0; partition < module.partitions(config); partition++) {
        const saved = await pipeline.raw.get(CHECKPOINTS, checkpointId(stream, partition));
        n += ((saved?.doc.checkpoint as { offset?: number } | undefined)?.offset ?? -1) + 1;
      }
      return n;
    }
  }
}

async function throughput(
  module: StreamModule,
): Promise<
  {
    eventsPerS: number;
    produceS: number;
    totalS: number;
    warmUpS: number;
    /** Rate of draining what was left when the producer finished, if that was a tenth or more. */
    backlogPerS?: number;
    /** Bytes of the data directory at the end, by file kind. */
    disk: DiskUse;
    /** Highest resident memory of the bench process while the pipeline ran, bytes. */
    peakRss: number;
  }
> {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-bench-" });
  const config = baseConfig(dataDir);
  const reader = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  const poll = config.mode === "services" ? 100 : 10;
  const stream = module.name;
  let peakRss = 0;
  const processedNow = () => {
    peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    return processed(module, config, reader);
  };
  const produce = (seed: number, count: number) =>
    startWorker<ProducerJob>(PRODUCER, {
      config,
      registry: STREAMS.ref,
      plans: [{ stream, source: { kind: "generator", seed }, rate: 0, count }],
    }, { nice: config.web.workerNice }).done;
  // Warm-up: the processor starts, joins its group and processes a first
  // thousand records before the clock starts, so what is timed is the
  // sustained rate, not start-up.
  const warmStarted = performance.now();
  const processors = Array.from(
    { length: INSTANCES },
    () =>
      startWorker<ProcessorJob>(PROCESSOR, { config, registry: STREAMS.ref, stream }, {
        nice: config.web.workerNice,
      }),
  );
  await produce(9, WARM_UP);
  while ((await processedNow()) < WARM_UP) await delay(poll);
  const warmUpS = (performance.now() - warmStarted) / 1000;
  const started = performance.now();
  // When the producer is done, how many are processed: the rest is the
  // backlog the processor then drains with the machine to itself.
  const atProduced = produce(1, USERS).then(async () => {
    const at = performance.now();
    return { at, count: await processedNow() };
  });
  while ((await processedNow()) < WARM_UP + USERS) await delay(poll);
  const end = performance.now();
  const { at, count } = await atProduced;
  // While the processor still runs: closing checkpoints and removes the write-ahead logs.
  const disk = await diskUse(dataDir);
  await Promise.all(processors.map((processor) => processor.stop()));
  await reader.close();
  await dropRun(config);
  const backlog = WARM_UP + USERS - count;
  return {
    eventsPerS: USERS / ((end - started) / 1000),
    produceS: (at - started) / 1000,
    totalS: (end - started) / 1000,
    warmUpS,
    backlogPerS: backlog > USERS / 10 ? backlog / ((end - at) / 1000) : undefined,
    disk,
    peakRss,
  };
}

/** Bytes of a data directory: the log, the store and the write-ahead logs beside them. */
interface DiskUse {
  log: number;
  store: number;
  wal: number;
  other: number;
}

async function diskUse(dir: string): Promise<DiskUse> {
  const use: DiskUse = { log: 0, store: 0, wal: 0, other: 0 };
  const walk = async (path: string) => {
    for await (const entry of Deno.readDir(path)) {
      const full = `${path}/${entry.name}`;
      if (entry.isDirectory) {
        await walk(full);
        continue;
      }
      const { size } = await Deno.stat(full);
      if (entry.name.endsWith("-wal") || entry.name.endsWith("-shm")) use.wal += size;
      else if (entry.name.startsWith("log")) use.log += size;
      else if (entry.name.startsWith("store")) use.store += size;
      else use.other += size;
    }
  };
  await walk(dir);
  return use;
}

/** The floor of a stream's records (see `bench_floor.ts`), on as many records as the pipeline gets. */
async function floor(module: StreamModule): Promise<number> {
  const keys: (string | null)[] = [];
  const values: Uint8Array[] = [];
  const source = generatedRecords(module.source.generator({ history: false }), module.source.key, {
    seed: 1,
    count: USERS,
  });
  for await (const record of source) {
    keys.push(record.key);
    values.push(record.value);
  }
  const dir = await Deno.makeTempDir({ prefix: "streamboard-floor-" });
  try {
    const result = runFloor({ stream: module.name, keys, values, dir });
    if (result.counted !== USERS) {
      throw new Error(`the floor counted ${result.counted} of ${USERS} records: a bench bug`);
    }
    return result.recordsPerS;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Median, min and max of a run's figures. */
interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** `12,345/s (min 12,000, max 13,000)`. */
function shown({ median, min, max }: Spread, unit = ""): string {
  const n = (x: number) => Math.round(x).toLocaleString("en");
  return RUNS > 1 ? `${n(median)}${unit} (min ${n(min)}, max ${n(max)})` : `${n(median)}${unit}`;
}

const ratio = (x: number) => Math.round(x * 100) / 100;

async function latency(): Promise<
  {
    p50: number;
    p99: number;
    max: number;
    measured: number;
    sent: number;
    warmUpS: number;
    /** p99 over a sample of every event, shown in the list or not (from the `latency` events). */
    p99All: number;
    sampled: number;
    /** Produce → stored over the last minute, as the server's last `latency` event said. */
    stored: LatencyFigures | null;
  }
> {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-bench-" });
  const config = withConfig(baseConfig(dataDir), { streams: { selected: ["users"] } });
  const app = await start(withConfig(config, { web: { host: "127.0.0.1" } }), STREAMS);
  const latencies: number[] = [];
  // Every update is followed by a `latency` event carrying the produce timestamps of (a
  // sample of) the events it first includes, shown in the list or not.
  const everyEvent: number[] = [];
  const shown = new Set<string>();
  let stored: LatencyFigures | null = null;
  const response = await fetch(new URL("/api/stream/users", app.url));
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const reading = (async () => {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const now = Date.now();
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes("event: latency")) {
          const data = JSON.parse(block.slice(block.indexOf("data: ") + 6));
          for (const ts of data.produced) everyEvent.push(now - ts);
          stored = data.stored;
          continue;
        }
        if (!block.includes("event: update")) continue;
        // Each update is the page's whole list of newest users: a user counts when first shown.
        const data = JSON.parse(block.slice(block.indexOf("data: ") + 6));
        for (const user of data.users) {
          if (shown.has(user.uuid)) continue;
          shown.add(user.uuid);
          latencies.push(now - user.ts);
        }
      }
    }
  })();
  // Warm-up: one second at the same rate, measured from the first produce
  // until the processor has joined its group and the live path delivers.
  const warmStarted = performance.now();
  await startWorker<ProducerJob>(PRODUCER, {
    config,
    registry: STREAMS.ref,
    plans: [{ stream: "users", source: { kind: "generator", seed: 3 }, rate: RATE, count: RATE }],
  }, { nice: config.web.workerNice }).done;
  const warmDeadline = Date.now() + 60_000;
  while (latencies.length === 0 && Date.now() < warmDeadline) await delay(20);
  await delay(1000);
  const warmUpS = (performance.now() - warmStarted) / 1000;
  latencies.length = 0;
  everyEvent.length = 0;
  const sent = Math.round(RATE * SECONDS);
  const producer = startWorker<ProducerJob>(PRODUCER, {
    config,
    registry: STREAMS.ref,
    plans: [{ stream: "users", source: { kind: "generator", seed: 2 }, rate: RATE, count: sent }],
  }, { nice: config.web.workerNice });
  await producer.done;
  const deadline = Date.now() + 5000;
  while (latencies.length < sent && Date.now() < deadline) await delay(20);
  await reader.cancel();
  await reading.catch(() => {});
  await app.stop();
  await dropRun(config);
  latencies.sort((a, b) => a - b);
  everyEvent.sort((a, b) => a - b);
  const pick = (q: number, of = latencies) =>
    of[Math.min(of.length - 1, Math.floor(q * of.length))];
  return {
    p50: pick(0.5),
    p99: pick(0.99),
    max: latencies[latencies.length - 1],
    measured: latencies.length,
    sent,
    warmUpS,
    p99All: pick(0.99, everyEvent),
    sampled: everyEvent.length,
    stored,
  };
}

const cpu =
  (await Deno.readTextFile("/proc/cpuinfo").catch(() => "")).match(/model name\s*:\s*(.*)/)?.[1] ??
    "unknown CPU";
/** The machine and its load when the bench started: the conditions every figure was taken in. */
const machine = {
  arguments: Deno.args,
  cpu,
  cores: navigator.hardwareConcurrency,
  deno: Deno.version.deno,
  started: new Date().toISOString(),
  load_average: Deno.loadavg().map((l) => Math.round(l * 100) / 100),
};
console.log(
  `StreamBoard bench · mode ${args.mode} · Deno ${machine.deno} · ${machine.cores} cores · ${cpu} · load average ${
    machine.load_average.join(" ")
  }`,
);
const settings = baseConfig("");
console.log(
  `settings: partitions ${settings.broker.partitions}, processor workers per stream ${INSTANCES}, processor batch ${settings.processor.batchSize}, producer batch ${settings.broker.producerBatchSize}, linger ${settings.broker.lingerMs} ms, fetch wait ${settings.broker.fetchWaitMs} ms${
    settings.mode === "embedded"
      ? ` unless a partition holds ${settings.broker.fetchMinRecords} records, poll ${settings.broker.pollMs} ms, WAL checkpoints ${settings.stores.walCheckpoints}`
      : `, Kafka ${settings.broker.kafkaBrokers}, MongoDB ${settings.stores.mongodbUrl}, Cassandra ${settings.stores.cassandraContactPoints}`
  }, worker threads at nice ${settings.web.workerNice}`,
);
if (args.viewers !== undefined) {
  const viewers = Number(args.viewers);
  console.log(
    `viewers: ${viewers} SSE viewers of the users page, ${RATE} users/s for ${SECONDS} s, then the fan-out floor, ${RUNS} run(s)…`,
  );
  const runs: { viewers: ViewersFigures; fanout_floor: FanoutFloor; x_fanout_floor_p99: number }[] =
    [];
  for (let run = 1; run <= RUNS; run++) {
    const dataDir = await Deno.makeTempDir({ prefix: "streamboard-bench-" });
    const config = baseConfig(dataDir);
    const v = await benchViewers({ config, viewers, rate: RATE, seconds: SECONDS });
    await dropRun(config);
    console.log(`  run ${run}:`);
    console.log(describeViewers(v));
    // The same number of sockets and the same chunk size, with no server at all: what delivery costs this machine.
    const floor = await measureFanoutFloor({
      viewers,
      bytes: v.chunkBytes,
      rounds: 20,
      gapMs: 300,
    });
    console.log(describeFanoutFloor(floor));
    const xFloor = ratio(v.p99Ms / floor.p99Ms);
    console.log(`  delivery p99 ${v.p99Ms} ms is ${xFloor}x the fan-out floor's ${floor.p99Ms} ms`);
    runs.push({ viewers: v, fanout_floor: floor, x_fanout_floor_p99: xFloor });
  }
  const of = (figure: (run: typeof runs[number]) => number) => spread(runs.map(figure));
  const summary = {
    p50_ms: of((r) => r.viewers.p50Ms),
    p99_ms: of((r) => r.viewers.p99Ms),
    complete: of((r) => r.viewers.complete),
    rss_peak_mb: of((r) => r.viewers.rssPeakMb),
    fanout_floor_p99_ms: of((r) => r.fanout_floor.p99Ms),
    x_fanout_floor_p99: of((r) => r.x_fanout_floor_p99),
  };
  console.log(
    `  ${viewers} viewers: delivery p50 ${shown(summary.p50_ms, " ms")} · p99 ${
      shown(summary.p99_ms, " ms")
    } · viewers with every update ${shown(summary.complete)} · server RSS peak ${
      shown(summary.rss_peak_mb, " MB")
    } · fan-out floor p99 ${shown(summary.fanout_floor_p99_ms, " ms")} · delivery p99 ${
      ratio(summary.x_fanout_floor_p99.median)
    }x the floor (min ${ratio(summary.x_fanout_floor_p99.min)}, max ${
      ratio(summary.x_fanout_floor_p99.max)
    })`,
  );
  console.log(JSON.stringify({
    machine,
    mode: args.mode,
    runs: RUNS,
    viewers,
    viewers_rate: RATE,
    ...Object.fromEntries(
      Object.entries(summary).flatMap(([name, f]) => [
        [`viewers_${name}`, f.median],
        [`viewers_${name}_range`, [f.min, f.max]],
      ]),
    ),
    viewer_runs: runs,
  }));
  Deno.exit(0);
}
const perStream: Partial<Record<StreamName, Spread>> = {};
const floorPerStream: Partial<Record<StreamName, Spread>> = {};
/** Each run's end-to-end rate over the floor measured just before it (the machine of that moment). */
const xFloorPerStream: Partial<Record<StreamName, Spread>> = {};
const backlogPerStream: Partial<Record<StreamName, number>> = {};
let diskPerUser: { total: number; log: number; store: number; wal: number } | undefined;
let peakRss = 0;
for (const module of BENCHED) {
  const stream = module.name;
  console.log(
    `throughput: ${USERS} generated ${stream} records, the one-thread floor then producer and processor workers at full speed, ${RUNS} run(s)…`,
  );
  const floors: number[] = [];
  const rates: number[] = [];
  const backlogs: number[] = [];
  const disks: DiskUse[] = [];
  for (let run = 1; run <= RUNS; run++) {
    floors.push(await floor(module));
    const t = await throughput(module);
    rates.push(t.eventsPerS);
    disks.push(t.disk);
    peakRss = Math.max(peakRss, t.peakRss);
    if (t.backlogPerS !== undefined) backlogs.push(t.backlogPerS);
    console.log(
      `  run ${run}: floor ${Math.round(floors[run - 1])}/s · end to end ${
        Math.round(t.eventsPerS)
      }/s (${ratio(t.eventsPerS / floors[run - 1])}x floor) · all produced after ${
        t.produceS.toFixed(2)
      } s · all processed after ${t.totalS.toFixed(2)} s · after a ${
        t.warmUpS.toFixed(1)
      } s warm-up (start, group join, ${WARM_UP} records) · peak RSS ${
        Math.round(t.peakRss / 2 ** 20)
      } MB${
        t.backlogPerS === undefined
          ? ""
          : ` · backlog drained at ${Math.round(t.backlogPerS)}/s (the processor alone)`
      }`,
    );
  }
  perStream[stream] = spread(rates);
  floorPerStream[stream] = spread(floors);
  xFloorPerStream[stream] = spread(rates.map((rate, i) => rate / floors[i]));
  if (backlogs.length > 0) backlogPerStream[stream] = Math.round(spread(backlogs).median);
  console.log(
    `  ${stream}: floor ${shown(floorPerStream[stream])} records/s · end to end ${
      shown(perStream[stream])
    } records/s (produced → stored and aggregated) · ${
      ratio(xFloorPerStream[stream].median)
    }x the floor of its run (min ${ratio(xFloorPerStream[stream].min)}, max ${
      ratio(xFloorPerStream[stream].max)
    })`,
  );
  // In services mode the records live in the servers' own directories: not measured here.
  if (stream === "users" && args.mode === "embedded") {
    const stored = WARM_UP + USERS;
    const per = (pick: (d: DiskUse) => number) => spread(disks.map(pick)).median / stored;
    diskPerUser = {
      total: per((d) => d.log + d.store + d.wal + d.other),
      log: per((d) => d.log),
      store: per((d) => d.store),
      wal: per((d) => d.wal),
    };
    console.log(
      `  disk: ${Math.round(diskPerUser.total)} bytes per stored user (log ${
        Math.round(diskPerUser.log)
      }, store ${Math.round(diskPerUser.store)}, write-ahead logs ${
        Math.round(diskPerUser.wal)
      }) = ${Math.round(diskPerUser.total)} MB per million`,
    );
  }
}
console.log(
  `  peak RSS of the bench process (workers included): ${Math.round(peakRss / 2 ** 20)} MB`,
);
let latencySpread: Spread | undefined;
let latencyAllSpread: Spread | undefined;
if (!args["skip-latency"]) {
  console.log(
    `latency: ${RATE} users/s for ${SECONDS} s through web + processor, SSE client on /api/stream/users, ${RUNS} run(s)…`,
  );
  const p99s: number[] = [];
  const p99sAll: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const l = await latency();
    p99s.push(l.p99);
    p99sAll.push(l.p99All);
    console.log(
      `  run ${run}: produce → SSE: p50 ${l.p50} ms · p99 ${l.p99} ms · max ${l.max} ms · ${l.measured}/${l.sent} users measured, after a ${
        l.warmUpS.toFixed(1)
      } s warm-up at the same rate · every event (sampled, shown or not): p99 ${l.p99All} ms of ${l.sampled} · of which produce → stored (last minute, warm-up included): ${
        l.stored ? `p50 ${l.stored.p50} ms · p99 ${l.stored.p99} ms` : "none"
      }`,
    );
  }
  latencySpread = spread(p99s);
  latencyAllSpread = spread(p99sAll);
  console.log(
    `  produce → SSE p99: ${shown(latencySpread, " ms")} · every event: ${
      shown(latencyAllSpread, " ms")
    }`,
  );
}
const medians = (figures: Partial<Record<StreamName, Spread>>) =>
  Object.fromEntries(Object.entries(figures).map(([s, f]) => [s, Math.round(f!.median)]));
const ranges = (figures: Partial<Record<StreamName, Spread>>) =>
  Object.fromEntries(
    Object.entries(figures).map(([s, f]) => [s, [Math.round(f!.min), Math.round(f!.max)]]),
  );
const readMs: Record<string, Record<string, ReadTime>> = {};
for (const mode of args.reads === undefined ? [] : ["embedded", "services"]) {
  console.log(`reads: ${args.reads} stored profiles, ${mode} mode, every page read 5 times…`);
  readMs[mode] = await benchReads(await isolatedConfig(mode), Number(args.reads));
  for (const [name, t] of Object.entries(readMs[mode])) {
    console.log(`  ${name}: median ${t.median_ms} ms · max ${t.max_ms} ms`);
  }
}
let scale: ScaleRun[] = [];
if (args.processors !== undefined) {
  const options = { processors: Number(args.processors), backlog: Number(args.backlog) };
  console.log(
    `scale-out: ${options.backlog} users backlog drained by 1 to ${options.processors} processor processes, ${args.mode} mode…`,
  );
  scale = await benchScale(args.mode, options);
  for (const run of scale) console.log(describeScale(run, scale[0]));
}
console.log(JSON.stringify({
  machine,
  mode: args.mode,
  processor_instances: INSTANCES,
  fetch_wait_ms: settings.broker.fetchWaitMs,
  ...(settings.mode === "embedded"
    ? {
      fetch_min_records: settings.broker.fetchMinRecords,
      wal_checkpoints: settings.stores.walCheckpoints,
    }
    : {}),
  records: USERS,
  runs: RUNS,
  events_per_s: medians(perStream),
  floor_per_s: medians(floorPerStream),
  x_floor: Object.fromEntries(
    Object.entries(xFloorPerStream).map(([s, f]) => [s, ratio(f!.median)]),
  ),
  x_floor_range: Object.fromEntries(
    Object.entries(xFloorPerStream).map(([s, f]) => [s, [ratio(f!.min), ratio(f!.max)]]),
  ),
  events_per_s_range: ranges(perStream),
  floor_per_s_range: ranges(floorPerStream),
  backlog_per_s: backlogPerStream,
  ...(latencySpread
    ? {
      latency_rate: RATE,
      p99_ms: latencySpread.median,
      p99_ms_range: [latencySpread.min, latencySpread.max],
      p99_every_event_ms: latencyAllSpread!.median,
    }
    : {}),
  ...(diskPerUser
    ? {
      disk_stored_users: WARM_UP + USERS,
      disk_bytes_per_user: Math.round(diskPerUser.total),
      disk_bytes_per_user_parts: {
        log: Math.round(diskPerUser.log),
        store: Math.round(diskPerUser.store),
        wal: Math.round(diskPerUser.wal),
      },
    }
    : {}),
  peak_rss_mb: Math.round(peakRss / 2 ** 20),
  ...(args.reads === undefined ? {} : { reads_stored: Number(args.reads), read_ms: readMs }),
  ...(scale.length === 0 ? {} : { scale_backlog: Number(args.backlog), scale }),
}));
Deno.exit(0);
