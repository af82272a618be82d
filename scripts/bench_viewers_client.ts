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
 * closes it; a second later it prints the result as one JSON line and exits.
 */

import { parseArgs } from "node:util";
import { quantile, type TallyWindow, ViewerTally } from "./viewer_tally.ts";

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
/** How long after `stop` events still on their way are counted, ms. */
const GRACE_MS = 1000;

const request = new TextEncoder().encode(
  `GET ${args.path} HTTP/1.1\r\nHost: 127.0.0.1:${PORT}\r\nAccept: text/event-stream\r\n\r\n`,
);
const tallies = Array.from({ length: VIEWERS }, () => new ViewerTally());
const conns: Deno.Conn[] = [];
const seen = { delays: [] as number[], sent: new Set<string>() };
let window: TallyWindow | undefined;
let failed = 0;
let ended = 0;
const errors = new Map<string, number>();

async function view(tally: ViewerTally): Promise<void> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port: PORT });
  } catch (error) {
    failed++;
    const kind = String(error).slice(0, 80);
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
    return;
  }
  conns.push(conn);
  try {
    await conn.write(request);
    const buffer = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      tally.read(buffer.subarray(0, n), Date.now(), window, seen);
    }
  } catch {
    // closed by us at the end, or reset by the server: counted as ended
  } finally {
    ended++;
  }
}

const started = performance.now();
const viewing: Promise<void>[] = [];
for (const tally of tallies) {
  viewing.push(view(tally));
  // A few hundred handshakes in flight at once, not ten thousand: the listen backlog is finite.
  if (viewing.length % 200 === 0) await new Promise((r) => setTimeout(r, 20));
}
const deadline = Date.now() + READY_MS;
let live = 0;
while (Date.now() < deadline) {
  live = tallies.filter((t) => t.live).length;
  if (live + failed + ended >= VIEWERS) break;
  await new Promise((r) => setTimeout(r, 100));
}
console.log(JSON.stringify({
  ready: true,
  live,
  failed,
  ended,
  refused: tallies.filter((t) => !t.accepted).length,
  connectS: (performance.now() - started) / 1000,
  errors: Object.fromEntries(errors),
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
      for (const tally of tallies) tally.updates = tally.snapshots = 0;
    } else if (command === "stop" && window) {
      window.to = Number(at);
      await new Promise((r) => setTimeout(r, GRACE_MS));
      report();
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

function report(): void {
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
  }));
}
