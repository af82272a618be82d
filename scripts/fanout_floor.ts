/**
 * The machine's floor for a live fan-out: what it costs this machine, with
 * no framework at all, to get one chunk to N loopback sockets read by
 * another process. This process listens and writes each frame to every
 * socket with plain `conn.write` (the front door's own `writeAll`); the readers run in a process of their own
 * (`fanout_floor_client.ts`), as the viewers bench's do, and time each frame
 * from its send to their read. The viewers bench's delivery is reported as a
 * multiple of this.
 */

import { delay } from "../pipeline/async.ts";
import { stampedFrame } from "./fanout_frames.ts";
import { quantile } from "./viewer_tally.ts";
import { jsonLines } from "./json_lines.ts";
import { writeAll } from "../server/front_door.ts";

const CLIENT = new URL("./fanout_floor_client.ts", import.meta.url);

/** What the floor is asked to measure. */
export interface FanoutFloorOptions {
  /** Sockets, one per viewer. */
  viewers: number;
  /** Bytes of each frame (the size of one update). */
  bytes: number;
  /** Frames sent to every socket, one after the other. */
  rounds: number;
  /** Pause between rounds, ms (updates come a few times a second). */
  gapMs: number;
}

/** The floor's figures: delivery delays over every socket and round, and the time to hand one frame to all sockets. */
export interface FanoutFloor {
  viewers: number;
  bytes: number;
  rounds: number;
  /** Frames read, of `viewers × rounds` sent. */
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Per round, ms from the first write until every socket's write returned. */
  writeMs: { min: number; median: number; max: number };
}

/** Measures the fan-out floor; needs `viewers` + a few open files. */
export async function measureFanoutFloor(options: FanoutFloorOptions): Promise<FanoutFloor> {
  const { viewers, bytes, rounds, gapMs } = options;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    while (conns.length < viewers) conns.push(await listener.accept());
  })();
  const client = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      CLIENT.pathname,
      `--port=${listener.addr.port}`,
      `--viewers=${viewers}`,
      `--bytes=${bytes}`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = jsonLines(client.stdout);
  const writer = client.stdin.getWriter();
  try {
    const ready = (await lines.next()).value as { connected: number; errors: unknown };
    if (ready?.connected !== viewers) {
      throw new Error(
        `the fan-out floor connected ${ready?.connected} of ${viewers} sockets: ${
          JSON.stringify(ready?.errors)
        }`,
      );
    }
    await accepting;
    const writeMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const frame = stampedFrame(Date.now(), bytes);
      const started = performance.now();
      await Promise.all(conns.map((conn) => writeAll(conn, frame)));
      writeMs.push(performance.now() - started);
      await delay(gapMs);
    }
    await writer.write(new TextEncoder().encode(`${JSON.stringify({ stop: viewers * rounds })}\n`));
    const result = (await lines.next()).value as {
      frames: number;
      p50Ms: number;
      p99Ms: number;
      maxMs: number;
    };
    writeMs.sort((a, b) => a - b);
    const ms = (value: number) => Math.round(value * 10) / 10;
    return {
      viewers,
      bytes,
      rounds,
      received: result.frames,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      maxMs: result.maxMs,
      writeMs: {
        min: ms(writeMs[0]),
        median: ms(quantile(writeMs, 0.5)),
        max: ms(writeMs[writeMs.length - 1]),
      },
    };
  } finally {
    for (const conn of conns) conn.close();
    listener.close();
    // A floor that failed early leaves an accept pending: closing the listener ends it.
    await accepting.catch(() => {});
    await writer.close().catch(() => {});
    await client.status;
  }
}

/** The floor as the bench prints it. */
export function describeFanoutFloor(f: FanoutFloor): string {
  return `  fan-out floor (plain conn.write of one ${f.bytes}-byte frame to ${f.viewers} loopback sockets, read by another process, ${f.rounds} rounds): p50 ${f.p50Ms} ms · p99 ${f.p99Ms} ms · max ${f.maxMs} ms · ${f.received}/${
    f.viewers * f.rounds
  } frames read · writes per round ${f.writeMs.median} ms (${f.writeMs.min}–${f.writeMs.max})`;
}
