/**
 * The README's performance table, from the JSON lines `deno task bench` ends
 * with: every figure with its spread, the issue's target for it and whether
 * it holds, and the conditions each run was measured in.
 *
 *   deno run --allow-read scripts/bench_table.ts OUTPUT...
 *   deno run --allow-read --allow-write scripts/bench_table.ts --readme README.md
 *
 * With `--readme` it writes the table into the README, between
 * `<!-- bench-table: FILES... -->` and `<!-- /bench-table -->`, from the run
 * files the opening marker names (relative to the README).
 * Each OUTPUT is the saved output of one bench run (its last line that starts
 * with `{` is the run's figures), or that line alone in a file of its own.
 */

/** A figure with its median and, when there were several runs, its min and max. */
interface Figure {
  median: number;
  range?: readonly [number, number];
}

/** What a bench run's JSON line holds; every part but the machine is there only when asked for. */
export interface BenchResult {
  machine?: {
    arguments?: string[];
    cpu: string;
    cores: number;
    deno: string;
    started: string;
    load_average: number[];
  };
  mode: string;
  runs?: number;
  records?: number;
  events_per_s?: Record<string, number>;
  events_per_s_range?: Record<string, [number, number]>;
  floor_per_s?: Record<string, number>;
  floor_per_s_range?: Record<string, [number, number]>;
  x_floor?: Record<string, number>;
  x_floor_range?: Record<string, [number, number]>;
  backlog_per_s?: Record<string, number>;
  latency_rate?: number;
  p99_ms?: number;
  p99_ms_range?: [number, number];
  p99_every_event_ms?: number;
  disk_stored_users?: number;
  disk_bytes_per_user?: number;
  disk_bytes_per_user_parts?: { log: number; store: number; wal: number };
  peak_rss_mb?: number;
  viewers?: number;
  viewers_rate?: number;
  viewers_p50_ms?: number;
  viewers_p50_ms_range?: [number, number];
  viewers_p99_ms?: number;
  viewers_p99_ms_range?: [number, number];
  viewers_complete?: number;
  viewers_complete_range?: [number, number];
  viewers_rss_peak_mb?: number;
  viewers_rss_peak_mb_range?: [number, number];
  viewers_fanout_floor_p99_ms?: number;
  viewers_fanout_floor_p99_ms_range?: [number, number];
  reads_stored?: number;
  read_ms?: Record<string, Record<string, { median_ms: number; max_ms: number }>>;
  scale_backlog?: number;
  scale?: Array<{ processors: number; per_s: number; cpu_us_per_record: number }>;
}

/** The issue's targets (issue 13), in one place. */
export const TARGETS = {
  eventsPerS: 50_000,
  xFloor: 2,
  latencyRate: 10_000,
  p99Ms: 20,
  p99AtEightyPercentMs: 50,
  viewersP99Ms: 250,
  viewersRssMb: 700,
  readMs: 50,
  diskBytesPerUser: 600,
  servicesCpuUsPerRecord: 20,
  servicesPerS: 20_000,
  scaleOut: 1.7,
} as const;

interface Row {
  figure: string;
  value: string;
  target: string;
  met?: boolean;
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");
const shown = (f: Figure, unit = "", format = count) =>
  `${format(f.median)}${unit}` +
  (f.range ? ` (${format(f.range[0])}–${format(f.range[1])})` : "");
const ratio = (n: number) => n.toFixed(2);

/** The rows of one run's figures. */
function rowsOf(result: BenchResult, all: readonly BenchResult[]): Row[] {
  const rows: Row[] = [];
  const mode = result.mode;
  for (const [stream, perS] of Object.entries(result.events_per_s ?? {})) {
    const floor = result.floor_per_s?.[stream];
    if (floor !== undefined) {
      rows.push({
        figure: `${stream}: the one-thread floor, records/s`,
        value: shown({ median: floor, range: result.floor_per_s_range?.[stream] }),
        target: "",
      });
    }
    // The throughput targets are embedded mode's: services mode shares the cores with its servers.
    const embedded = mode === "embedded";
    rows.push({
      figure: `${stream}: end to end (${mode}), records/s`,
      value: shown({ median: perS, range: result.events_per_s_range?.[stream] }),
      target: embedded ? `≥ ${count(TARGETS.eventsPerS)}` : "",
      met: embedded ? perS >= TARGETS.eventsPerS : undefined,
    });
    const x = result.x_floor?.[stream];
    if (x !== undefined) {
      rows.push({
        figure: `${stream}: end to end × the floor`,
        value: shown({ median: x, range: result.x_floor_range?.[stream] }, "", ratio),
        target: embedded ? `≥ ${TARGETS.xFloor}` : "",
        met: embedded ? x >= TARGETS.xFloor : undefined,
      });
    }
  }
  if (result.p99_ms !== undefined && result.latency_rate !== undefined) {
    const target = latencyTarget(result.latency_rate, all);
    rows.push({
      figure: `users: produce → SSE p99 at ${count(result.latency_rate)}/s, ms`,
      value: shown({ median: result.p99_ms, range: result.p99_ms_range }),
      target: target === undefined ? "" : `≤ ${target}`,
      met: target === undefined ? undefined : result.p99_ms <= target,
    });
    if (result.p99_every_event_ms !== undefined) {
      rows.push({
        figure: `users: every event's p99 at ${count(result.latency_rate)}/s, ms`,
        value: count(result.p99_every_event_ms),
        target: "",
      });
    }
  }
  if (result.disk_bytes_per_user !== undefined) {
    const parts = result.disk_bytes_per_user_parts;
    const stored = result.disk_stored_users;
    rows.push({
      figure: `users: disk per stored user${stored ? ` at ${count(stored)} stored` : ""}, bytes${
        parts
          ? ` (log ${count(parts.log)}, store ${count(parts.store)}, WAL ${count(parts.wal)})`
          : ""
      }`,
      value: count(result.disk_bytes_per_user),
      target: `≤ ${TARGETS.diskBytesPerUser} at 1,000,000`,
      met: result.disk_bytes_per_user <= TARGETS.diskBytesPerUser,
    });
  }
  if (result.peak_rss_mb !== undefined && result.events_per_s !== undefined) {
    rows.push({
      figure: "peak RSS of the bench process (producer and processor workers), MB",
      value: count(result.peak_rss_mb),
      target: "",
    });
  }
  if (result.viewers !== undefined) {
    const v = result.viewers;
    const at = `${count(v)} viewers at ${count(result.viewers_rate ?? 0)} users/s`;
    if (result.viewers_complete !== undefined) {
      rows.push({
        figure: `${at}: viewers with every update`,
        value: shown({ median: result.viewers_complete, range: result.viewers_complete_range }),
        target: `= ${count(v)}`,
        met: (result.viewers_complete_range?.[0] ?? result.viewers_complete) >= v,
      });
    }
    if (result.viewers_p99_ms !== undefined) {
      rows.push({
        figure: `${at}: delivery p99, ms`,
        value: shown({ median: result.viewers_p99_ms, range: result.viewers_p99_ms_range }),
        target: `≤ ${TARGETS.viewersP99Ms}`,
        met: result.viewers_p99_ms <= TARGETS.viewersP99Ms,
      });
    }
    if (result.viewers_fanout_floor_p99_ms !== undefined) {
      rows.push({
        figure: `${at}: the machine's fan-out floor p99, ms`,
        value: shown({
          median: result.viewers_fanout_floor_p99_ms,
          range: result.viewers_fanout_floor_p99_ms_range,
        }),
        target: "",
      });
    }
    if (result.viewers_rss_peak_mb !== undefined) {
      rows.push({
        figure: `${at}: server RSS at its peak, MB`,
        value: shown({
          median: result.viewers_rss_peak_mb,
          range: result.viewers_rss_peak_mb_range,
        }),
        target: `≤ ${TARGETS.viewersRssMb}`,
        met: result.viewers_rss_peak_mb <= TARGETS.viewersRssMb,
      });
    }
  }
  for (const [readMode, reads] of Object.entries(result.read_ms ?? {})) {
    for (const [read, t] of Object.entries(reads)) {
      rows.push({
        figure: `${readMode}: ${read} at ${
          count(result.reads_stored ?? 0)
        } stored, ms (median, max)`,
        value: `${t.median_ms} (${t.max_ms})`,
        target: `≤ ${TARGETS.readMs}`,
        met: t.median_ms <= TARGETS.readMs,
      });
    }
  }
  const one = result.scale?.find((run) => run.processors === 1);
  for (const run of result.scale ?? []) {
    const services = mode === "services";
    const of = `${mode}: ${run.processors} processor${run.processors === 1 ? "" : "s"} draining ${
      count(result.scale_backlog ?? 0)
    }`;
    rows.push({
      figure: `${of}, records/s`,
      value: count(run.per_s),
      target: services ? `≥ ${count(TARGETS.servicesPerS)}` : "",
      met: services ? run.per_s >= TARGETS.servicesPerS : undefined,
    });
    rows.push({
      figure: `${of}: the processors' CPU per record, µs`,
      value: count(run.cpu_us_per_record),
      target: services ? `≤ ${TARGETS.servicesCpuUsPerRecord}` : "",
      met: services ? run.cpu_us_per_record <= TARGETS.servicesCpuUsPerRecord : undefined,
    });
    if (one && run !== one) {
      const x = run.per_s / one.per_s;
      rows.push({
        figure: `${of}: × one processor`,
        value: ratio(x),
        target: `≥ ${TARGETS.scaleOut} when the servers are not the bottleneck`,
        met: x >= TARGETS.scaleOut,
      });
    }
  }
  return rows;
}

/**
 * The p99 target at a rate: 20 ms at 10,000 users/s, 50 ms at 80 % (±10 %)
 * of the highest users rate measured in these runs, none at other rates.
 */
function latencyTarget(rate: number, all: readonly BenchResult[]): number | undefined {
  if (rate === TARGETS.latencyRate) return TARGETS.p99Ms;
  const max = Math.max(0, ...all.map((r) => r.events_per_s?.users ?? 0));
  if (max > 0 && Math.abs(rate / max - 0.8) <= 0.1) return TARGETS.p99AtEightyPercentMs;
  return undefined;
}

/** How run `n` was made: its arguments, when, on what, at what load. */
function conditionsOf(result: BenchResult, n: number): string {
  const m = result.machine;
  if (!m) {
    return `${n}. a ${result.mode} run without its conditions (a bench from before they were kept)`;
  }
  const args = m.arguments ? ` ${m.arguments.join(" ")}` : "";
  return `${n}. \`deno task bench${args}\` (${result.mode}): ${
    m.started.slice(0, 16).replace("T", " ")
  } UTC, ${m.cpu}, ${m.cores} cores, Deno ${m.deno}, load average at the start ${
    m.load_average.map((l) => l.toFixed(2)).join(" ")
  }`;
}

/**
 * The markdown table of every figure of `results`, with the conditions of
 * each run listed above it and the run's number in the table's first column.
 */
export function performanceTable(results: readonly BenchResult[]): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const lines = [
    ...results.map((r, i) => conditionsOf(r, i + 1)),
    "",
    "| run | figure | median (min–max) | target | met |",
    "| --- | --- | --- | --- | --- |",
    ...results.flatMap((result, i) =>
      rowsOf(result, results).map((r) =>
        `| ${i + 1} | ${cell(r.figure)} | ${cell(r.value)} | ${cell(r.target)} | ${
          r.met === undefined ? "" : r.met ? "yes" : "**no**"
        } |`
      )
    ),
  ];
  return lines.join("\n");
}

/**
 * A bench run's figures: the last line of its output that is a JSON object,
 * or the whole of a file that holds that object alone (as saved in `docs/bench/`).
 */
export function lastResult(output: string): BenchResult {
  const line = output.trimStart().startsWith("{") && output.trimEnd().endsWith("}")
    ? output
    : output.split("\n").findLast((l) => l.startsWith("{"));
  if (line === undefined) throw new Error("no JSON line: not the output of `deno task bench`");
  const value: unknown = JSON.parse(line);
  if (
    typeof value !== "object" || value === null || !("mode" in value) ||
    typeof value.mode !== "string"
  ) {
    throw new Error("the last JSON line has no mode: not the output of `deno task bench`");
  }
  return value as BenchResult;
}

const OPEN = "<!-- bench-table:";
const CLOSE = "<!-- /bench-table -->";

/** The README's generated block: the run files its opening marker names, and where its body lies. */
export function tableBlock(readme: string): { files: string[]; start: number; end: number } {
  const open = readme.indexOf(OPEN);
  const close = readme.indexOf(CLOSE);
  const openEnd = readme.indexOf("-->", open);
  if (open < 0 || close < openEnd || openEnd < 0) {
    throw new Error(`no block between "${OPEN} FILES... -->" and "${CLOSE}"`);
  }
  const files = readme.slice(open + OPEN.length, openEnd).trim().split(/\s+/).filter(Boolean);
  if (files.length === 0) throw new Error("the block's opening marker names no run files");
  return { files, start: openEnd + "-->".length, end: close };
}

/**
 * The text without what `deno fmt` changes in it: its tables' padding and
 * where its other lines wrap. What two renderings of one block have in common.
 */
export function withoutFormatting(text: string): string {
  const parts: string[] = [];
  let prose = "";
  for (const line of text.trim().split("\n")) {
    if (!line.startsWith("|")) {
      prose += ` ${line}`;
      continue;
    }
    if (prose.trim()) parts.push(prose.replace(/\s+/g, " ").trim());
    prose = "";
    parts.push(line.split("|").map((c) => /^\s*-+\s*$/.test(c) ? "---" : c.trim()).join("|"));
  }
  if (prose.trim()) parts.push(prose.replace(/\s+/g, " ").trim());
  return parts.join("\n");
}

/** Reads each run file's figures, or exits with the file's name and what is wrong with it. */
async function resultsOf(paths: readonly string[]): Promise<BenchResult[]> {
  return await Promise.all(paths.map(async (path) => {
    try {
      return lastResult(await Deno.readTextFile(path));
    } catch (e) {
      console.error(`${path}: ${e instanceof Error ? e.message : String(e)}`);
      Deno.exit(1);
    }
  }));
}

if (import.meta.main) {
  if (Deno.args[0] === "--readme" && Deno.args.length === 2) {
    // Paths in the marker are relative to the README's folder.
    const readmePath = Deno.args[1];
    const dir = readmePath.includes("/")
      ? readmePath.slice(0, readmePath.lastIndexOf("/") + 1)
      : "";
    const readme = await Deno.readTextFile(readmePath);
    const block = tableBlock(readme);
    const table = performanceTable(await resultsOf(block.files.map((f) => dir + f)));
    await Deno.writeTextFile(
      readmePath,
      `${readme.slice(0, block.start)}\n${table}\n${readme.slice(block.end)}`,
    );
    console.log(
      `${readmePath}: the table made again from ${block.files.length} run(s); run deno fmt`,
    );
  } else if (Deno.args.length > 0 && !Deno.args[0].startsWith("--")) {
    console.log(performanceTable(await resultsOf(Deno.args)));
  } else {
    console.error(
      "usage: deno run --allow-read scripts/bench_table.ts OUTPUT...\n" +
        "       deno run --allow-read --allow-write scripts/bench_table.ts --readme README.md",
    );
    Deno.exit(2);
  }
}
