/**
 * The scale-out run of `deno task bench --processors N`: a backlog of users
 * is produced first, then 1 (and up to N) users processors, each a process
 * of its own in one consumer group, drain it. Reported per instance count:
 * the drain rate, the processors' own CPU time per record (utime + stime of
 * their processes, from /proc, over the drain), and the CPU the servers
 * (Kafka, FerretDB, Cassandra, when their pid files are readable) spent
 * meanwhile, so what the processor costs is told apart from what the
 * servers cost on the same cores.
 *
 * Alone: `deno run --allow-all scripts/bench_scale.ts --processors 2 --backlog 200000`
 */

import { parseArgs } from "node:util";
import { type Config, withConfig } from "../config.ts";
import type { ProcessorJob } from "../pipeline/workers/protocol.ts";
import { openPipeline } from "../pipeline/wiring.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { dropIsolatedRun } from "../pipeline/isolated_run.ts";
import { userStats } from "../server/users_data.ts";
import { delay } from "../pipeline/async.ts";
import { isolatedConfig, produceUsers } from "./bench_reads.ts";

/** What a drain by `processors` instances measured. */
export interface ScaleRun {
  processors: number;
  /** Records drained per second, from the first record processed to the last. */
  per_s: number;
  /** The processors' CPU time per record drained, µs. */
  cpu_us_per_record: number;
  /** CPU seconds of the servers during the drain, by server. */
  servers_cpu_s: Record<string, number>;
  drain_s: number;
}

const PROCESS = new URL("./processor_process.ts", import.meta.url).pathname;
const SERVICES_RUN = `${
  Deno.env.get("STREAMBOARD_SERVICES_STATE") ??
    `${Deno.env.get("HOME") ?? "/root"}/.cache/streamboard-services/state`
}/run`;
const TICKS_PER_S = 100;

/** utime + stime of a process, in seconds (0 when it is gone). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  if (stat === "") return 0;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command: state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

async function serverPids(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of ["kafka", "ferretdb", "cassandra"]) {
    const pid = Number(await Deno.readTextFile(`${SERVICES_RUN}/${name}.pid`).catch(() => ""));
    if (pid > 0) out[name] = pid;
  }
  return out;
}

async function cpuOf(pids: Record<string, number>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) out[name] = await cpuSeconds(pid);
  return out;
}

/** Produces `backlog` users, then drains them with `processors` processes of one group. */
export async function drain(
  base: Config,
  options: { processors: number; backlog: number },
): Promise<ScaleRun> {
  const config = withConfig(base, { streams: { selected: ["users"] } });
  const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  const jobFile = await Deno.makeTempFile({ suffix: ".json" });
  const children: Deno.ChildProcess[] = [];
  try {
    await produceUsers(config, { seed: 8, count: options.backlog });
    const job: ProcessorJob = { config, registry: STREAMS.ref, stream: "users" };
    await Deno.writeTextFile(jobFile, JSON.stringify(job));
    for (let i = 0; i < options.processors; i++) {
      children.push(
        new Deno.Command(Deno.execPath(), {
          args: ["run", "--allow-all", PROCESS, jobFile],
          stdout: "null",
          stderr: "null",
        }).spawn(),
      );
    }
    const processed = async () => (await userStats(pipeline.aggregates)).total;
    const processorsCpu = async () => {
      let sum = 0;
      for (const child of children) sum += await cpuSeconds(child.pid);
      return sum;
    };
    const servers = await serverPids();
    let first = 0;
    while ((first = await processed()) === 0) await delay(100);
    const [t0, cpu0, servers0] = [performance.now(), await processorsCpu(), await cpuOf(servers)];
    const deadline = Date.now() + 30 * 60_000;
    while ((await processed()) < options.backlog) {
      if (Date.now() > deadline) throw new Error("the backlog was not drained in 30 min");
      await delay(100);
    }
    const [t1, cpu1, servers1] = [performance.now(), await processorsCpu(), await cpuOf(servers)];
    const drained = options.backlog - first;
    const seconds = (t1 - t0) / 1000;
    return {
      processors: options.processors,
      per_s: Math.round(drained / seconds),
      cpu_us_per_record: Math.round((cpu1 - cpu0) / drained * 1e6),
      // A server restarted during the drain (stopped by another process) has no figure.
      servers_cpu_s: Object.fromEntries(
        Object.keys(servers)
          .filter((name) => servers1[name] > 0 && servers1[name] >= servers0[name])
          .map((name) => [name, Math.round((servers1[name] - servers0[name]) * 10) / 10]),
      ),
      drain_s: Math.round(seconds * 10) / 10,
    };
  } finally {
    for (const child of children) {
      child.kill("SIGTERM");
      await child.status;
    }
    await pipeline.close();
    await Deno.remove(jobFile);
    await Deno.remove(config.stores.dataDir, { recursive: true }).catch(() => {});
    if (config.mode === "services") await dropIsolatedRun(config);
  }
}

/** Drains a backlog with 1 to `processors` instances, each on a run of its own. */
export async function benchScale(
  mode: string,
  options: { processors: number; backlog: number },
): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  for (let n = 1; n <= options.processors; n++) {
    runs.push(await drain(await isolatedConfig(mode), { processors: n, backlog: options.backlog }));
  }
  return runs;
}

/** One line per run of `benchScale`. */
export function describeScale(run: ScaleRun, one: ScaleRun): string {
  const servers = Object.entries(run.servers_cpu_s).map(([n, s]) => `${n} ${s} s`).join(", ");
  return `  ${run.processors} processor(s): ${run.per_s} records/s (${
    (run.per_s / one.per_s).toFixed(2)
  }x of one) · processors' own CPU ${run.cpu_us_per_record} µs/record · drained in ${run.drain_s} s · servers' CPU meanwhile: ${
    servers || "unknown"
  }`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      processors: { type: "string", default: "2" },
      backlog: { type: "string", default: "200000" },
      mode: { type: "string", default: "services" },
    },
  });
  const options = { processors: Number(values.processors), backlog: Number(values.backlog) };
  console.log(`scale-out: ${options.backlog} users backlog, ${values.mode} mode…`);
  const runs = await benchScale(values.mode, options);
  for (const run of runs) console.log(describeScale(run, runs[0]));
  console.log(JSON.stringify({ mode: values.mode, backlog: options.backlog, scale: runs }));
  Deno.exit(0);
}
