/**
 * The viewers of `deno task bench --viewers N`, in a process of their own
 * (the server's process holds one socket per viewer, this one the other end):
 * N raw sockets each `GET /api/stream/users` and count what arrives (see
 * `viewer_tally.ts`). Raw sockets rather than `fetch`: ten thousand streams
 * from one process stay cheap.
 *
 *   deno run --allow-net scripts/bench_viewers_client.ts --port 8000 --viewers 10000
 *
 * Prints one JSON line when every viewer is live (or has failed), then reads
 * commands on stdin: `measure <ms since epoch>` opens the window, `stop <ms>`
 * closes it; once every viewer has read every update of the window (at least
 * a second later, at most 20 s) it prints the result as one JSON line and exits.
 */

import { parseArgs } from "node:util";
import process from "node:process";
import {
  everyLiveViewerHas,
  quantile,
  type TallySeen,
  type TallyWindow,
  ViewerTally,
} from "./viewer_tally.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string" },
    viewers: { type: "string", default: "10000" },
    path: { type: "string", default: "/api/stream/users" },
  },
});
const PORT = Number(args.port);
const VIEWERS = Number(args.viewers);
/** Longest wait for every viewer to receive its first snapshot, ms. */
const READY_MS = 180_000;
/** Viewers connecting at once. */
const IN_FLIGHT = 100;
/** Tries per viewer to get connected and sent its first snapshot. */
const ATTEMPTS = 5;
/** How long after `stop` events still on their way are counted at least, ms. */
const GRACE_MS = 1000;
/**
 * Longest wait after `stop` for every live viewer to have read every update
 * sent in the window, ms: an update late by seconds is counted as late (in
 * the delays), not as lost.
 */
const GRACE_MAX_MS = 20_000;

const request = new TextEncoder().encode(
  `GET ${args.path} HTTP/1.1\r\nHost: 127.0.0.1:${PORT}\r\nAccept: text/event-stream\r\n\r\n`,
);
const tallies = Array.from({ length: VIEWERS }, () => new ViewerTally());
const conns: Deno.Conn[] = [];
const seen: TallySeen = { delays: [], sent: new Set(), chunkChars: 0 };
let window: TallyWindow | undefined;
/** This process's CPU time when the window opened, µs. */
let cpuAtMeasure = 0;
let measuredAt = 0;
/** CPU seconds this process used per second of the window, set when it closes. */
let cpuPerS = NaN;
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
let failed = 0;
let ended = 0;
const errors = new Map<string, number>();

/** Connects one viewer and reads its stream until it ends; false when it ended before it was live. */
async function view(tally: ViewerTally): Promise<boolean> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port: PORT });
  } catch (error) {
    const kind = String(error).slice(0, 80);
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
    return false;
  }
  conns.push(conn);
  try {
    await conn.write(request);
    const buffer = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      tally.read(buffer.subarray(0, n), { now: Date.now(), window, seen });
    }
  } catch {
    // closed by us at the end, or reset by the server
  }
  return tally.live;
}

/**
 * Keeps one viewer watching: one that could not connect or was closed
 * before its first snapshot tries again (as a browser's EventSource does),
 * up to `ATTEMPTS` times. Resolves once it is live or has given up, with
 * the rest of its stream (`watching`) still running.
 */
function keepViewing(index: number): { live: Promise<void>; watching: Promise<void> } {
  let markLive!: () => void;
  const live = new Promise<void>((resolve) => markLive = resolve);
  const watching = (async () => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const tally = tallies[index] = new ViewerTally();
      const stream = view(tally);
      const wentLive = (async () => {
        while (!tally.live) {
          if (await Promise.race([stream.then(() => true), delay(50).then(() => false)])) return;
        }
      })();
      await wentLive;
      if (tally.live) {
        markLive();
        await stream;
        ended++;
        return;
      }
      await stream;
    }
    failed++;
    markLive();
  })();
  return { live, watching };
}

const started = performance.now();
const viewing: Promise<void>[] = [];
// At most `IN_FLIGHT` viewers connecting at once: a starved server (or a full listen backlog)
// paces the connections rather than timing them out.
const connecting = new Set<Promise<void>>();
for (let index = 0; index < VIEWERS; index++) {
  const { live, watching } = keepViewing(index);
  viewing.push(watching);
  connecting.add(live);
  live.then(() => connecting.delete(live));
  if (connecting.size >= IN_FLIGHT) await Promise.race(connecting);
}
await Promise.race([Promise.all(connecting), delay(READY_MS)]);
const live = tallies.filter((t) => t.live).length;
console.log(JSON.stringify({
  ready: true,
  live,
  failed,
  ended,
  refused: tallies.filter((t) => !t.accepted).length,
  connectS: (performance.now() - started) / 1000,
  connectErrors: Object.fromEntries(errors),
}));

const decoder = new TextDecoder();
let pending = "";
for await (const bytes of Deno.stdin.readable) {
  pending += decoder.decode(bytes, { stream: true });
  let end;
  while ((end = pending.indexOf("\n")) >= 0) {
    const [command, at] = pending.slice(0, end).split(" ");
    pending = pending.slice(end + 1);
    if (command === "measure") {
      window = { from: Number(at), to: Infinity };
      cpuAtMeasure = cpuNow();
      measuredAt = performance.now();
      for (const tally of tallies) tally.updates = tally.snapshots = 0;
    } else if (command === "stop" && window) {
      window.to = Number(at);
      const stopped = performance.now();
      cpuPerS = (cpuNow() - cpuAtMeasure) / 1000 / (stopped - measuredAt);
      await new Promise((r) => setTimeout(r, GRACE_MS));
      while (
        !everyLiveViewerHas(tallies, seen.sent.size) && performance.now() - stopped < GRACE_MAX_MS
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      report(performance.now() - stopped);
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed by the server already
        }
      }
      await Promise.allSettled(viewing);
      Deno.exit(0);
    }
  }
}

/** Prints the window's figures, counted until `graceMs` after it closed. */
function report(graceMs: number): void {
  const counts = tallies.filter((t) => t.live).map((t) => t.updates).sort((a, b) => a - b);
  const delays = seen.delays.sort((a, b) => a - b);
  const sent = seen.sent.size;
  console.log(JSON.stringify({
    result: true,
    viewers: VIEWERS,
    live,
    endedEarly: ended,
    sent,
    complete: counts.filter((n) => n >= sent).length,
    received: { min: counts[0] ?? 0, median: quantile(counts, 0.5), max: counts.at(-1) ?? 0 },
    snapshots: tallies.reduce((sum, t) => sum + t.snapshots, 0),
    deliveries: delays.length,
    p50Ms: quantile(delays, 0.5),
    p99Ms: quantile(delays, 0.99),
    maxMs: delays.at(-1) ?? NaN,
    /** Mean size of a counted update chunk, characters (≈ bytes). */
    chunkBytes: delays.length ? Math.round(seen.chunkChars / delays.length) : NaN,
    /** How long after the window the count went on, ms (until every viewer had every update, or the cap). */
    graceMs: Math.round(graceMs),
    /** CPU seconds this process used per second of the window. */
    cpuPerS,
  }));
}
