/**
 * The readers of the fan-out floor (`fanout_floor.ts`), in a process of
 * their own: N sockets to the floor's listener, each reading stamped frames
 * and timing them from send to read.
 *
 *   deno run --allow-net scripts/fanout_floor_client.ts --port=P --viewers=10000 --bytes=1500
 *
 * Prints one JSON line once every socket is connected (or has failed), then
 * waits for `{"stop": <frames expected>}` on stdin; when that many frames are
 * read, or 10 s later, it prints the delays as one JSON line and exits.
 */

import { parseArgs } from "node:util";
import { FrameReader } from "./fanout_frames.ts";
import { quantile } from "./viewer_tally.ts";
import { jsonLines } from "./json_lines.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string" },
    viewers: { type: "string" },
    bytes: { type: "string" },
  },
});
const PORT = Number(args.port);
const VIEWERS = Number(args.viewers);
const BYTES = Number(args.bytes);
/** Sockets connecting at once. */
const IN_FLIGHT = 100;
/** Longest wait for frames still on their way after `stop`, ms. */
const DRAIN_MS = 10_000;

const delays: number[] = [];
const readers: FrameReader[] = [];
const conns: Deno.Conn[] = [];
const errors = new Map<string, number>();

async function read(conn: Deno.Conn, reader: FrameReader): Promise<void> {
  const buffer = new Uint8Array(16 * 1024);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) return;
      reader.read(buffer.subarray(0, n), Date.now(), delays);
    }
  } catch {
    // closed at the end
  }
}

const connecting = new Set<Promise<void>>();
const reading: Promise<void>[] = [];
for (let index = 0; index < VIEWERS; index++) {
  const connected: Promise<void> = Deno.connect({ hostname: "127.0.0.1", port: PORT }).then(
    (conn) => {
      conns.push(conn);
      const reader = new FrameReader(BYTES);
      readers.push(reader);
      reading.push(read(conn, reader));
    },
    (error) => {
      const kind = String(error).slice(0, 80);
      errors.set(kind, (errors.get(kind) ?? 0) + 1);
    },
  ).finally(() => connecting.delete(connected));
  connecting.add(connected);
  if (connecting.size >= IN_FLIGHT) await Promise.race(connecting);
}
await Promise.all(connecting);
console.log(
  JSON.stringify({ ready: true, connected: conns.length, errors: Object.fromEntries(errors) }),
);

for await (const command of jsonLines(Deno.stdin.readable)) {
  const expected = (command as { stop?: unknown }).stop;
  if (typeof expected !== "number") continue;
  const until = Date.now() + DRAIN_MS;
  const frames = () => readers.reduce((sum, r) => sum + r.frames, 0);
  while (frames() < expected && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  delays.sort((a, b) => a - b);
  console.log(JSON.stringify({
    frames: frames(),
    p50Ms: quantile(delays, 0.5),
    p99Ms: quantile(delays, 0.99),
    maxMs: delays.at(-1) ?? NaN,
  }));
  for (const conn of conns) conn.close();
  await Promise.allSettled(reading);
  Deno.exit(0);
}
