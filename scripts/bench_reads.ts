/**
 * The read-time run of `deno task bench --reads N`: N user profiles stored
 * (filled straight into the raw store, then a thousand more through the
 * producer and the processor, so read models and aggregates are the
 * pipeline's own), then every page read timed over HTTP against the running
 * app: median and max of 5, in ms. CSV export counts until its first data
 * row arrives.
 *
 * Alone: `deno run --allow-all scripts/bench_reads.ts --reads 100000 --mode services`
 */

import { parseArgs } from "node:util";
import { type Config, loadConfig, withConfig } from "../config.ts";
import { start } from "../main.ts";
import { type ProducerJob, startWorker } from "../pipeline/workers/protocol.ts";
import { openPipeline } from "../pipeline/wiring.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { dropIsolatedRun } from "../pipeline/isolated_run.ts";
import { fillUsers } from "./user_fill.ts";
import { delay } from "../pipeline/async.ts";

/** Median and max of one read, ms. */
export interface ReadTime {
  median_ms: number;
  max_ms: number;
}

/** Users produced through the pipeline after the fill. */
const THROUGH_PIPELINE = 1000;
const TIMES = 5;
const PRODUCER = new URL("../pipeline/workers/producer_worker.ts", import.meta.url);

/** The reads timed, by name: a path, and whether to stop at the first CSV data row. */
const READS: Record<string, { path: string; firstRow?: boolean }> = {
  users_page: { path: "/api/pages/users" },
  sales_page: { path: "/api/pages/sales" },
  clicks_page: { path: "/api/pages/clicks" },
  products_page: { path: "/api/pages/products" },
  newest_users: { path: "/users" },
  last_user: { path: "/last_user" },
  stats: { path: "/stats" },
  csv_first_row: { path: "/export/csv", firstRow: true },
};

async function timeRead(url: URL, firstRow: boolean): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}`);
  if (!firstRow) {
    await response.arrayBuffer();
    return performance.now() - started;
  }
  const reader = response.body!.getReader();
  let lines = 0;
  while (lines < 2) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const byte of value) if (byte === 10) lines++;
  }
  const took = performance.now() - started;
  await reader.cancel();
  return took;
}

/** Produces `count` generated users as fast as the producer worker goes. */
export async function produceUsers(
  config: Config,
  { seed, count }: { seed: number; count: number },
): Promise<void> {
  await startWorker<ProducerJob>(PRODUCER, {
    config,
    registry: STREAMS.ref,
    plans: [{ stream: "users", source: { kind: "generator", seed }, rate: 0, count }],
  }).done;
}

/** Fills `stored` profiles into a run of its own of `base`'s mode and times every page read. */
export async function benchReads(
  base: Config,
  stored: number,
  progress: (line: string) => void = console.log,
): Promise<Record<string, ReadTime>> {
  const config = withConfig(base, { streams: { selected: ["users"] } });
  try {
    return await fillAndTime(config, stored, progress);
  } finally {
    await Deno.remove(config.stores.dataDir, { recursive: true }).catch(() => {});
    if (config.mode === "services") await dropIsolatedRun(config);
  }
}

async function fillAndTime(
  config: Config,
  stored: number,
  progress: (line: string) => void,
): Promise<Record<string, ReadTime>> {
  const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  const started = performance.now();
  const step = Math.max(1000, Math.round(stored / 10 / 1000) * 1000);
  try {
    await fillUsers(pipeline.raw, {
      count: stored - THROUGH_PIPELINE,
      until: Date.now() - 60_000,
      progress: (n) => {
        if (n % step === 0) {
          const s = (performance.now() - started) / 1000;
          progress(`  filled ${n} profiles in ${s.toFixed(0)} s`);
        }
      },
    });
  } finally {
    await pipeline.close();
  }
  const app = await start(withConfig(config, { web: { host: "127.0.0.1", port: 0 } }), STREAMS);
  try {
    await produceUsers(config, { seed: 5, count: THROUGH_PIPELINE });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const stats = await (await fetch(new URL("/stats", app.url))).json();
      if (stats.total >= THROUGH_PIPELINE) break;
      if (Date.now() > deadline) throw new Error(`only ${stats.total} users processed in 120 s`);
      await delay(200);
    }
    const out: Record<string, ReadTime> = {};
    for (const [name, read] of Object.entries(READS)) {
      const times: number[] = [];
      for (let i = 0; i < TIMES; i++) {
        times.push(await timeRead(new URL(read.path, app.url), read.firstRow ?? false));
      }
      times.sort((a, b) => a - b);
      const round = (ms: number) => Math.round(ms * 10) / 10;
      out[name] = { median_ms: round(times[TIMES >> 1]), max_ms: round(times[TIMES - 1]) };
    }
    return out;
  } finally {
    await app.stop();
  }
}

/** A configuration of its own for a read run: a fresh data dir, or fresh topics, database and keyspace. */
export async function isolatedConfig(mode: string): Promise<Config> {
  const run = crypto.randomUUID().slice(0, 8);
  const config = loadConfig({ ...Deno.env.toObject(), STREAMBOARD_MODE: mode });
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-bench-" });
  return withConfig(config, {
    ...(config.mode === "services" ? { broker: { namespace: `bench-${run}.` } } : {}),
    stores: {
      dataDir,
      ...(config.mode === "services"
        ? { mongodbDb: `bench_${run}`, cassandraKeyspace: `bench_${run}` }
        : {}),
    },
    producer: { enabled: false },
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      reads: { type: "string", default: "100000" },
      mode: { type: "string", default: "embedded" },
    },
  });
  const stored = Number(values.reads);
  console.log(`reads: ${stored} stored profiles, mode ${values.mode}…`);
  const times = await benchReads(await isolatedConfig(values.mode), stored);
  for (const [name, t] of Object.entries(times)) {
    console.log(`  ${name}: median ${t.median_ms} ms · max ${t.max_ms} ms`);
  }
  console.log(JSON.stringify({ mode: values.mode, stored, read_ms: times }));
  Deno.exit(0);
}
