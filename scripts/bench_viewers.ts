/**
 * `deno task bench --viewers N`: N concurrent SSE viewers of the users page
 * while the producer sends `rate` users/s for `seconds`. The viewers run in a
 * process of their own (`bench_viewers_client.ts`); this process runs the
 * server, samples its memory, and reads the hub's own counters on `/metrics`.
 *
 * Reported: viewers live, updates the server sent in the window and how many
 * each viewer received, delivery delay (server send → viewer read) p50/p99/max,
 * resynchronising snapshots, chunks encoded in the window (once per update,
 * whatever N), the server's RSS before the viewers, at its peak while they
 * watched, and after they left.
 */

import { type Config, withConfig } from "../config.ts";
import { start } from "../main.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { type ProducerJob, startWorker } from "../pipeline/workers/protocol.ts";
import { delay } from "../pipeline/async.ts";
import process from "node:process";
import { jsonLines } from "./json_lines.ts";

const PRODUCER = new URL("../pipeline/workers/producer_worker.ts", import.meta.url);
const CLIENT = new URL("./bench_viewers_client.ts", import.meta.url);
/** Descriptors the server needs besides one per viewer (stores, broker, workers, a margin). */
const SPARE_DESCRIPTORS = 1000;
/** How long the memory is given to settle after the viewers left, ms. */
const SETTLE_MS = 10_000;

/** What the viewers run is asked to do. */
export interface ViewersBenchOptions {
  /** A configuration of the run's own (fresh data dir, or topics, database and keyspace). */
  config: Config;
  viewers: number;
  /** Users produced per second while the viewers watch. */
  rate: number;
  seconds: number;
}

/** The figures of a viewers run. */
export interface ViewersFigures {
  viewers: number;
  live: number;
  /** Updates the server sent in the window (as seen by any viewer). */
  sent: number;
  /** Viewers that received every one of them. */
  complete: number;
  received: { min: number; median: number; max: number };
  /** Snapshots sent to viewers that fell behind, in the window. */
  snapshots: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How long after the window the viewers went on counting, ms: until every one had every update, or 20 s. */
  graceMs: number;
  /** Mean size of one update chunk as the viewers received it, bytes. */
  chunkBytes: number;
  /** Chunks the users page's hub encoded in the window (updates, snapshots), for all viewers together. */
  encoded: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  /** Whether a full collection ran before the after-figures (`--v8-flags=--expose-gc`). */
  collected: boolean;
  /** Update deliveries counted (viewers × updates received in the window). */
  deliveries: number;
  /** V8 heap in use before the viewers and after they left, MB (what a leak would grow). */
  heapBeforeMb: number;
  heapAfterMb: number;
  /** CPU seconds per second in the window: the server's process (web, processor and producer workers) and the viewers' process. */
  serverCpuPerS: number;
  viewersCpuPerS: number;
  /** Open-file limit of the process (soft) after any raise. */
  fileLimit: number;
}

/** Runs the viewers bench; the caller drops the run's data afterwards. */
export async function benchViewers(options: ViewersBenchOptions): Promise<ViewersFigures> {
  const { viewers, rate, seconds } = options;
  const fileLimit = await raiseFileLimit(viewers + SPARE_DESCRIPTORS);
  if (fileLimit < viewers + SPARE_DESCRIPTORS) {
    throw new Error(
      `bench: ${viewers} viewers need about ${
        viewers + SPARE_DESCRIPTORS
      } open files, the limit is ${fileLimit} (ulimit -n)`,
    );
  }
  // The viewers all come from 127.0.0.1: the per-address cap (issue 10) is raised for this app only.
  const config = withConfig(options.config, {
    streams: { selected: ["users"] },
    web: {
      host: "127.0.0.1",
      sseViewersPerClient: viewers + 16,
      maxConnections: viewers + 256,
    },
  });
  const app = await start(config, STREAMS);
  const port = new URL(app.url).port;
  const rss = () => Deno.memoryUsage().rss / 1e6;
  const heap = () => Deno.memoryUsage().heapUsed / 1e6;
  try {
    const produce = (seed: number, count: number) =>
      startWorker<ProducerJob>(PRODUCER, {
        config,
        registry: STREAMS.ref,
        plans: [{ stream: "users", source: { kind: "generator", seed }, rate, count }],
      }, { nice: config.web.workerNice }).done;
    // Warm-up: a second at the rate, so the processor has joined its group before anyone watches.
    await produce(4, rate);
    const rssBeforeMb = rss();
    const heapBeforeMb = heap();

    const client = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", CLIENT.pathname, "--port", port, "--viewers", String(viewers)],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = jsonLines(client.stdout);
    const ready = await lines.next();
    console.log(`  viewers: ${JSON.stringify(ready.value)}`);
    const writer = client.stdin.getWriter();
    const say = (line: string) => writer.write(new TextEncoder().encode(`${line}\n`));

    let rssPeakMb = rss();
    const sampler = setInterval(() => rssPeakMb = Math.max(rssPeakMb, rss()), 200);
    const encodedBefore = await encodedChunks(app.url);
    const cpu = () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    };
    const cpuBefore = cpu();
    const windowStarted = performance.now();
    await say(`measure ${Date.now()}`);
    await produce(2, Math.round(rate * seconds));
    await delay(500);
    await say(`stop ${Date.now()}`);
    const serverCpuPerS = (cpu() - cpuBefore) / 1000 / (performance.now() - windowStarted);
    const result = (await lines.next()).value as Record<string, unknown>;
    const encoded = (await encodedChunks(app.url)) - encodedBefore;
    clearInterval(sampler);
    await writer.close().catch(() => {});
    await client.status;

    const left = Date.now() + 60_000;
    while ((await liveViewers(app.url)) > 0 && Date.now() < left) await delay(200);
    await delay(SETTLE_MS);
    // With `--v8-flags=--expose-gc` the after-figures follow a full collection: what is still held, not garbage.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const rssAfterMb = rss();
    const heapAfterMb = heap();
    return {
      viewers,
      live: Number(result.live),
      sent: Number(result.sent),
      complete: Number(result.complete),
      received: result.received as ViewersFigures["received"],
      snapshots: Number(result.snapshots),
      p50Ms: Number(result.p50Ms),
      p99Ms: Number(result.p99Ms),
      maxMs: Number(result.maxMs),
      chunkBytes: Number(result.chunkBytes),
      graceMs: Number(result.graceMs),
      encoded,
      rssBeforeMb: Math.round(rssBeforeMb),
      rssPeakMb: Math.round(rssPeakMb),
      rssAfterMb: Math.round(rssAfterMb),
      collected: gc !== undefined,
      deliveries: Number(result.deliveries),
      heapBeforeMb: Math.round(heapBeforeMb),
      heapAfterMb: Math.round(heapAfterMb),
      serverCpuPerS: Math.round(serverCpuPerS * 100) / 100,
      viewersCpuPerS: Math.round(Number(result.cpuPerS) * 100) / 100,
      fileLimit,
    };
  } finally {
    await app.stop();
  }
}

/** The run's figures as the bench prints them. */
export function describeViewers(f: ViewersFigures): string {
  return [
    `  ${f.live}/${f.viewers} viewers live · ${f.complete} received all ${f.sent} updates sent (per viewer min ${f.received.min}, median ${f.received.median}, max ${f.received.max}) · ${f.snapshots} resync snapshots · counted until ${
      (f.graceMs / 1000).toFixed(1)
    } s after the window`,
    `  delivery (server send → viewer read): p50 ${f.p50Ms} ms · p99 ${f.p99Ms} ms · max ${f.maxMs} ms · ${f.encoded} chunks of about ${f.chunkBytes} bytes encoded for all viewers`,
    `  CPU in the window: server process ${f.serverCpuPerS} s/s (web + processor + producer) · viewers' process ${f.viewersCpuPerS} s/s · ${f.deliveries} update deliveries`,
    `  server RSS: ${f.rssBeforeMb} MB before the viewers · ${f.rssPeakMb} MB peak while they watched · ${f.rssAfterMb} MB ${
      SETTLE_MS / 1000
    } s after they left${
      f.collected ? " and a full GC" : ""
    } · V8 heap ${f.heapBeforeMb} MB before, ${f.heapAfterMb} MB after · open-file limit ${f.fileLimit}`,
  ].join("\n");
}

/**
 * Raises the soft open-file limit to the hard one when it is below `wanted`
 * (with `prlimit`, which Deno has no call for); the soft limit after.
 */
async function raiseFileLimit(wanted: number): Promise<number> {
  const limits = async () => {
    const text = await Deno.readTextFile("/proc/self/limits").catch(() => "");
    const match = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(text);
    const value = (s: string | undefined) => s === "unlimited" ? Infinity : Number(s ?? 0);
    return { soft: value(match?.[1]), hard: value(match?.[2]) };
  };
  const { soft, hard } = await limits();
  if (soft >= wanted || soft >= hard) return soft;
  const target = hard === Infinity ? "unlimited" : String(hard);
  await new Deno.Command("prlimit", {
    args: ["--pid", String(Deno.pid), `--nofile=${target}:${target}`],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  return (await limits()).soft;
}

/** A sample of the users page from `/metrics`. */
async function usersMetric(url: string, name: string): Promise<number> {
  const response = await fetch(new URL("/metrics", url));
  const text = await response.text();
  const match = new RegExp(`^${name}\\{page="users"\\} (\\d+)`, "m").exec(text);
  if (!match) {
    throw new Error(
      `bench: /metrics (${response.status}) has no ${name} for the users page: ${
        text.slice(0, 300)
      }`,
    );
  }
  return Number(match[1]);
}

const encodedChunks = (url: string) => usersMetric(url, "streamboard_sse_chunks_encoded_total");
const liveViewers = (url: string) => usersMetric(url, "streamboard_sse_viewers");
