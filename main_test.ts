/**
 * `start` of `main.ts` runs the pipeline's worker threads (processor,
 * producer, write-ahead log checkpoints) at the configured nice value, and the
 * thread serving pages and live streams at its own.
 */

import assert from "node:assert/strict";
import { type Config, DEFAULTS, withConfig } from "./config.ts";
import { start } from "./main.ts";
import { STREAMS } from "./pipeline/stream_registry.ts";
import { until } from "./pipeline/testing/until.ts";
import { threadNice } from "./pipeline/workers/thread_priority.ts";

/** Name and nice value of each thread of this process (Linux). */
function threads(): Array<{ tid: number; name: string; nice: number }> {
  const out = [];
  for (const entry of Deno.readDirSync("/proc/self/task")) {
    const dir = `/proc/self/task/${entry.name}`;
    const stat = Deno.readTextFileSync(`${dir}/stat`);
    // After the name in parentheses: state is field 3, nice field 19 (1-based, man 5 proc).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.push({
      tid: Number(entry.name),
      name: Deno.readTextFileSync(`${dir}/comm`).trim(),
      nice: Number(fields[16]),
    });
  }
  return out;
}

Deno.test({
  name: "the pipeline's worker threads run at the configured nice value, the web thread at its own",
  ignore: threadNice() === undefined,
  async fn() {
    const before = threadNice()!;
    const nice = Math.min(19, before + 6);
    const dataDir = await Deno.makeTempDir({ prefix: "streamboard-nice-" });
    const config: Config = withConfig(DEFAULTS, {
      stores: { dataDir },
      web: { port: 0, workerNice: nice },
      broker: { pollMs: 5 },
      producer: { rate: 20, seed: 5 },
      streams: { selected: ["users"] },
    });
    const running = await start(config, STREAMS);
    try {
      // Processor, producer and checkpoint threads, each at the nice value once started.
      let workers: ReturnType<typeof threads> = [];
      const settled = () => workers.length >= 3 && workers.every((t) => t.nice === nice);
      await until(() => {
        workers = threads().filter((t) => /^worker-\d+$/.test(t.name));
        return Promise.resolve(settled());
      }, 30_000).catch(() => {});
      assert.ok(settled(), `worker threads (nice ${nice} expected): ${JSON.stringify(workers)}`);
      const main = threads().find((t) => t.tid === Deno.pid);
      assert.equal(main?.nice, before, "the web thread keeps its nice value");
      const res = await fetch(new URL("/healthz", running.url));
      await res.body?.cancel();
      assert.equal(res.status, 200, "the server answers");
    } finally {
      await running.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
