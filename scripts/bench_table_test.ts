import assert from "node:assert/strict";
import {
  type BenchResult,
  lastResult,
  performanceTable,
  tableBlock,
  withoutFormatting,
} from "./bench_table.ts";

const machine = {
  arguments: ["--stream", "users", "--rate", "10000"],
  cpu: "Intel(R) Xeon(R) Processor",
  cores: 2,
  deno: "2.9.6",
  started: "2026-12-03T18:50:03.000Z",
  load_average: [0.67, 2.17, 2.43],
};

/** The table's row whose figure starts with `figure`, as its cells. */
function row(table: string, figure: string): string[] {
  const line = table.split("\n").find((l) =>
    /^\| \d+ \| /.test(l) && l.split(" | ")[1].startsWith(figure)
  );
  assert.ok(line, `no row for ${figure} in\n${table}`);
  return line.split(" | ").slice(1).map((c) => c.replace(/\s*\|$/g, ""));
}

Deno.test("throughput rows give each stream's median with its spread, the target and whether it holds", () => {
  const table = performanceTable([{
    machine,
    mode: "embedded",
    events_per_s: { users: 18841, sales: 61000 },
    events_per_s_range: { users: [18621, 19071], sales: [60000, 62000] },
    floor_per_s: { users: 41369, sales: 30000 },
    floor_per_s_range: { users: [39758, 42272], sales: [29000, 31000] },
    x_floor: { users: 0.46, sales: 2.03 },
    x_floor_range: { users: [0.44, 0.47], sales: [2.01, 2.1] },
  }]);
  assert.deepEqual(row(table, "users: end to end"), [
    "users: end to end (embedded), records/s",
    "18,841 (18,621–19,071)",
    "≥ 50,000",
    "**no**",
  ]);
  assert.deepEqual(row(table, "users: end to end × the floor").slice(1), [
    "0.46 (0.44–0.47)",
    "≥ 2",
    "**no**",
  ]);
  assert.deepEqual(row(table, "sales: end to end (").slice(3), ["yes"]);
  assert.deepEqual(row(table, "sales: end to end × the floor").slice(3), ["yes"]);
  assert.deepEqual(row(table, "users: the one-thread floor").slice(1, 3), [
    "41,369 (39,758–42,272)",
    "",
  ]);
  assert.ok(
    table.startsWith(
      "1. `deno task bench --stream users --rate 10000` (embedded): 2026-12-03 18:50 UTC, Intel(R) Xeon(R) Processor, 2 cores, Deno 2.9.6, load average at the start 0.67 2.17 2.43",
    ),
    table,
  );
});

Deno.test("services throughput has no target of its own, and each row names the run it comes from", () => {
  const run = (mode: string): BenchResult => ({
    machine,
    mode,
    events_per_s: { users: 5060 },
    floor_per_s: { users: 37435 },
    x_floor: { users: 0.15 },
  });
  const table = performanceTable([run("embedded"), run("services")]);
  const rows = table.split("\n").filter((l) => l.includes("users: end to end (services)"));
  assert.deepEqual(rows, ["| 2 | users: end to end (services), records/s | 5,060 |  |  |"]);
  assert.ok(
    table.includes("| 1 | users: end to end (embedded), records/s | 5,060 | ≥ 50,000 | **no** |"),
  );
  assert.ok(table.includes("| 2 | users: end to end × the floor | 0.15 |  |  |"));
});

Deno.test("the latency target is 20 ms at 10,000/s, 50 ms at 80 % of the measured maximum, none elsewhere", () => {
  const at = (rate: number, p99: number): BenchResult => ({
    machine,
    mode: "embedded",
    latency_rate: rate,
    p99_ms: p99,
    p99_ms_range: [p99 - 1, p99 + 1],
  });
  const max: BenchResult = { machine, mode: "embedded", events_per_s: { users: 20000 } };
  const table = performanceTable([max, at(10000, 49), at(16000, 45), at(1000, 23)]);
  assert.deepEqual(row(table, "users: produce → SSE p99 at 10,000/s").slice(1), [
    "49 (48–50)",
    "≤ 20",
    "**no**",
  ]);
  assert.deepEqual(row(table, "users: produce → SSE p99 at 16,000/s").slice(2), ["≤ 50", "yes"]);
  assert.deepEqual(row(table, "users: produce → SSE p99 at 1,000/s").slice(2), ["", ""]);
});

Deno.test("viewers hold their target only when every run gave every viewer every update", () => {
  const viewers = (complete: [number, number]): string => {
    const table = performanceTable([{
      machine,
      mode: "embedded",
      viewers: 10000,
      viewers_rate: 1000,
      viewers_complete: complete[1],
      viewers_complete_range: complete,
      viewers_p99_ms: 347,
      viewers_p99_ms_range: [321, 363],
      viewers_rss_peak_mb: 539,
    }]);
    assert.deepEqual(row(table, "10,000 viewers at 1,000 users/s: delivery p99").slice(2), [
      "≤ 250",
      "**no**",
    ]);
    assert.deepEqual(row(table, "10,000 viewers at 1,000 users/s: server RSS").slice(1), [
      "539",
      "≤ 700",
      "yes",
    ]);
    return row(table, "10,000 viewers at 1,000 users/s: viewers with every update")[3];
  };
  assert.deepEqual(viewers([10000, 10000]), "yes");
  assert.deepEqual(viewers([9998, 10000]), "**no**");
});

Deno.test("reads and scale-out rows: medians against 50 ms, services processors against their targets", () => {
  const table = performanceTable([{
    machine,
    mode: "services",
    reads_stored: 1000000,
    read_ms: { services: { users_page: { median_ms: 38.9, max_ms: 138.7 } } },
    scale_backlog: 200000,
    scale: [
      { processors: 1, per_s: 5917, cpu_us_per_record: 65 },
      { processors: 2, per_s: 6141, cpu_us_per_record: 88 },
    ],
  }]);
  assert.deepEqual(row(table, "services: users_page at 1,000,000 stored").slice(1), [
    "38.9 (138.7)",
    "≤ 50",
    "yes",
  ]);
  assert.deepEqual(row(table, "services: 1 processor draining 200,000, records/s").slice(1), [
    "5,917",
    "≥ 20,000",
    "**no**",
  ]);
  assert.deepEqual(
    row(table, "services: 1 processor draining 200,000: the processors' CPU").slice(1),
    [
      "65",
      "≤ 20",
      "**no**",
    ],
  );
  assert.deepEqual(row(table, "services: 2 processors draining 200,000: × one").slice(1, 2), [
    "1.04",
  ]);
});

Deno.test("a bench output's figures are its last JSON line; other output is refused with a reason", () => {
  const output = [
    "StreamBoard bench · mode embedded",
    '{"mode":"embedded","runs":1}',
    "  run 1: …",
    '{"mode":"embedded","runs":3}',
    "",
  ].join("\n");
  assert.deepEqual(lastResult(output).runs, 3);
  assert.deepEqual(lastResult('{\n  "mode": "services",\n  "runs": 1\n}\n').mode, "services");
  assert.throws(() => lastResult("no figures here"), /no JSON line/);
  assert.throws(() => lastResult('{"runs":3}'), /no mode/);
});

Deno.test("the README's performance table is the tool's output for the run files it names", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const block = tableBlock(readme);
  const results = await Promise.all(
    block.files.map(async (f) =>
      lastResult(await Deno.readTextFile(new URL(`../${f}`, import.meta.url)))
    ),
  );
  assert.equal(
    withoutFormatting(readme.slice(block.start, block.end)),
    withoutFormatting(performanceTable(results)),
    "regenerate it: deno run --allow-read --allow-write scripts/bench_table.ts --readme README.md && deno fmt README.md",
  );
});

Deno.test("formatting aside, a changed figure or a missing row is a different table", () => {
  const table = "1. a run\n\n| run | figure |\n| --- | --- |\n| 1 | 18,867 |";
  const formatted = "1. a\n   run\n\n| run | figure |\n| --- | ------ |\n| 1   | 18,867 |";
  assert.equal(withoutFormatting(formatted), withoutFormatting(table));
  assert.notEqual(
    withoutFormatting(formatted.replace("18,867", "18,868")),
    withoutFormatting(table),
  );
  assert.notEqual(
    withoutFormatting(table.split("\n").slice(0, -1).join("\n")),
    withoutFormatting(table),
  );
  assert.throws(() => tableBlock("no markers"), /no block/);
});
