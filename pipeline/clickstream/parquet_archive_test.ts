import assert from "node:assert/strict";
import { join } from "node:path";
import { CLICKSTREAM_TOPICS, type ClickstreamTopic, VALIDATE } from "./events.ts";
import {
  archiveDir,
  archiveFileName,
  ParquetArchive,
  type StagedRecord,
} from "./parquet_archive.ts";
import { type ArchiveFault, failingArchiveFiles } from "../testing/failing_archive_files.ts";
import { readParquetFile } from "../testing/parquet_reader.ts";
import { expectedRow, type Sample, samples } from "../testing/clickstream_samples.ts";

const CHILD_CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const ARCHIVE_MODULE = new URL("./parquet_archive.ts", import.meta.url).href;
const FAILING_FILES_MODULE = new URL("../testing/failing_archive_files.ts", import.meta.url).href;

/** How `positioned` lays samples out. */
interface Layout {
  /** Partitions the samples are spread over, round robin. */
  partitions: number;
  /** Samples in each partition. */
  perPartition: number;
  /** Offset of the first sample in each partition; 0 by default. */
  firstOffset?: number;
  /** Seed of the samples, added to `firstOffset`; 1 by default. */
  seed?: number;
}

/** Samples spread over `partitions` partitions, offsets from `firstOffset` in each. */
function positioned(
  topic: ClickstreamTopic,
  { partitions, perPartition, firstOffset = 0, seed = 1 }: Layout,
): { staged: StagedRecord[]; expected: Map<string, Record<string, unknown>> } {
  const all = samples(topic, partitions * perPartition, seed + firstOffset);
  const staged: StagedRecord[] = [];
  const expected = new Map<string, Record<string, unknown>>();
  all.forEach((sample: Sample, i) => {
    const partition = i % partitions;
    const offset = firstOffset + Math.floor(i / partitions);
    staged.push({ partition, offset, record: VALIDATE[topic](sample.json) });
    expected.set(`${partition}:${offset}`, expectedRow(sample, partition, offset));
  });
  return { staged, expected };
}

/** Every row of every complete file, in file order, read by the independent reader. */
function readAll(dir: string): Record<string, unknown>[] {
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".parquet"))
    .sort();
  return names.flatMap((name) => readParquetFile(join(dir, name)).rows);
}

function leftovers(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp"));
}

/** Asserts the files hold each expected row exactly once, and nothing else. */
function assertExactlyOnce(dir: string, expected: Map<string, Record<string, unknown>>): void {
  const rows = readAll(dir);
  const positions = rows.map((r) => `${r.source_partition}:${r.source_offset}`);
  const repeated = positions.filter((p, i) => positions.indexOf(p) !== i);
  assert.deepEqual(repeated, [], "no (partition, offset) appears twice");
  assert.deepEqual(positions.slice().sort(), [...expected.keys()].sort(), "none is missing");
  for (const row of rows) {
    assert.deepEqual(row, expected.get(`${row.source_partition}:${row.source_offset}`));
  }
}

const EXPECTED_TYPES = {
  event_type: "Utf8",
  user_id: "Int32",
  item_id: "Int32",
  timestamp: "Timestamp<MILLISECOND, UTC>",
  source_partition: "Int32",
  source_offset: "Int64",
  page_url: "Utf8",
  click_duration: "Float64",
  view_duration: "Float64",
  device_type: "Utf8",
  rating: "Int32",
  review_text: "Utf8",
} as const;

for (const topic of CLICKSTREAM_TOPICS) {
  Deno.test(`parquet archive: every ${topic} row reads back equal, with real types`, () => {
    const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-" });
    const archive = new ParquetArchive({ dataDir, topic, now: () => Date.UTC(2025, 0, 2, 3) });
    try {
      const { staged, expected } = positioned(topic, { partitions: 3, perPartition: 40 });
      assert.equal(archive.stage(staged), 120);
      const written = archive.flush();
      assert.equal(written?.rows, 120);
      assert.equal(written?.file, `${topic}-20250102T030000000-000001.parquet`);
      assert.equal(archive.flush(), undefined, "nothing left to write");
      assert.deepEqual(archive.files(), [written.file]);

      const table = readParquetFile(written.path);
      assert.deepEqual(
        table.columns.map((c) => [c.name, c.type, c.nullable]),
        Object.keys(table.rows[0]).map((name) => [
          name,
          EXPECTED_TYPES[name as keyof typeof EXPECTED_TYPES],
          false,
        ]),
      );
      assert.equal(table.columns.length, 8);
      assert.ok(table.rows.every((r) => r.timestamp instanceof Date));
      assert.ok(table.rows.every((r) => typeof r.source_offset === "bigint"));
      // Rows come ordered by partition, then offset.
      assert.deepEqual(
        table.rows.map((r) => [r.source_partition, r.source_offset]),
        staged.map((s) => [s.partition, BigInt(s.offset)]).sort((a, b) =>
          Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1])
        ),
      );
      assertExactlyOnce(archive.dir, expected);
    } finally {
      archive.close();
    }
  });
}

Deno.test("parquet archive: a flush writes at most maxRowsPerFile rows; no empty files", () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-" });
  let now = Date.UTC(2025, 0, 1);
  const archive = new ParquetArchive({
    dataDir,
    topic: "views",
    maxRowsPerFile: 25,
    now: () => now++,
  });
  try {
    assert.equal(archive.flush(), undefined);
    assert.deepEqual(archive.files(), []);
    const { staged, expected } = positioned("views", { partitions: 2, perPartition: 30 });
    archive.stage(staged);
    const sizes: number[] = [];
    for (let file = archive.flush(); file; file = archive.flush()) sizes.push(file.rows);
    assert.deepEqual(sizes, [25, 25, 10]);
    assert.deepEqual(archive.files().map((f) => f.slice(-14)), [
      "000001.parquet",
      "000002.parquet",
      "000003.parquet",
    ]);
    assert.deepEqual(archive.highWaterMarks(), new Map([[0, 29], [1, 29]]));
    assertExactlyOnce(archive.dir, expected);
  } finally {
    archive.close();
  }
});

Deno.test("parquet archive: replayed records are ignored, spooled or already archived", () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-" });
  const archive = new ParquetArchive({ dataDir, topic: "clicks" });
  try {
    const first = positioned("clicks", { partitions: 2, perPartition: 10 });
    assert.equal(archive.stage(first.staged), 20);
    assert.equal(archive.stage(first.staged.slice(0, 5)), 0, "already spooled");
    archive.flush();
    assert.equal(archive.stage(first.staged), 0, "at or below the high-water mark");
    assert.equal(archive.flush(), undefined);
    const next = positioned("clicks", { partitions: 2, perPartition: 5, firstOffset: 10 });
    assert.equal(archive.stage([...first.staged, ...next.staged]), 10, "only the new ones");
    archive.flush();
    assertExactlyOnce(archive.dir, new Map([...first.expected, ...next.expected]));
  } finally {
    archive.close();
  }
});

Deno.test("parquet archive: staging another topic's record or a bad position is refused", () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-" });
  const archive = new ParquetArchive({ dataDir, topic: "ratings" });
  try {
    const click = positioned("clicks", { partitions: 1, perPartition: 1 }).staged[0];
    assert.throws(() => archive.stage([click]), TypeError);
    const rating = positioned("ratings", { partitions: 1, perPartition: 1 }).staged[0];
    assert.throws(() => archive.stage([{ ...rating, offset: -1 }]), RangeError);
    assert.throws(() => archive.stage([{ ...rating, partition: 0.5 }]), RangeError);
    assert.equal(archive.spooled(), 0);
  } finally {
    archive.close();
  }
});

Deno.test("parquet archive: a flush that fails before its commit leaves no file and loses no row", () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-" });
  let fail = true;
  const archive = new ParquetArchive({
    dataDir,
    topic: "clicks",
    files: failingArchiveFiles((fault) => {
      if (fail && fault === "after-write") throw new Error("disk full");
    }),
  });
  try {
    const { staged, expected } = positioned("clicks", { partitions: 2, perPartition: 10 });
    archive.stage(staged);
    assert.throws(() => archive.flush(), /disk full/);
    assert.deepEqual(leftovers(archive.dir), []);
    assert.deepEqual(archive.files(), []);
    assert.equal(archive.spooled(), 20);
    fail = false;
    assert.equal(archive.flush()?.rows, 20);
    assertExactlyOnce(archive.dir, expected);
  } finally {
    archive.close();
  }
});

Deno.test("parquet archive: a file committed but not yet renamed is published by the next flush", () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-" });
  let fail = true;
  const archive = new ParquetArchive({
    dataDir,
    topic: "views",
    files: failingArchiveFiles((fault) => {
      if (fail && fault === "before-rename") throw new Error("interrupted");
    }),
  });
  try {
    const first = positioned("views", { partitions: 2, perPartition: 10 });
    archive.stage(first.staged);
    assert.throws(() => archive.flush(), /interrupted/);
    assert.equal(leftovers(archive.dir).length, 1);
    assert.deepEqual(archive.files(), [], "not visible before the rename");
    fail = false;
    archive.stage(first.staged); // redelivered: already archived
    assert.equal(archive.flush(), undefined, "nothing new");
    assert.equal(archive.files().length, 1);
    assert.deepEqual(leftovers(archive.dir), []);
    assertExactlyOnce(archive.dir, first.expected);
  } finally {
    archive.close();
  }
});

Deno.test("parquet archive: a committed file deleted by hand is reported, not silently skipped", () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-" });
  const archive = new ParquetArchive({
    dataDir,
    topic: "clicks",
    files: failingArchiveFiles((fault) => {
      if (fault === "before-rename") throw new Error("interrupted");
    }),
  });
  archive.stage(positioned("clicks", { partitions: 1, perPartition: 3 }).staged);
  assert.throws(() => archive.flush(), /interrupted/);
  archive.close();
  for (const name of leftovers(archiveDir(dataDir, "clicks"))) {
    Deno.removeSync(join(archiveDir(dataDir, "clicks"), name));
  }
  assert.throws(() => new ParquetArchive({ dataDir, topic: "clicks" }), /its rows are lost/);
});

/** What `crashingChild` archives, and where it crashes. */
interface CrashingRun {
  /** The data folder the archive writes under. */
  dataDir: string;
  /** The topic archived. */
  topic: ClickstreamTopic;
  /** Records staged before flushing. */
  staged: StagedRecord[];
  /** The step of writing a file at which the child dies. */
  crashAt: ArchiveFault;
  /** Which file (counted from 1) the child dies writing. */
  crashOnFile: number;
  /** Rows per file of the archive. */
  maxRowsPerFile: number;
}

/** Runs an archive in a child process that dies (`Deno.exit`) at `crashAt` of its `crashOnFile`th file. */
async function crashingChild(run: CrashingRun): Promise<number> {
  const code = `
    import { ParquetArchive } from ${JSON.stringify(ARCHIVE_MODULE)};
    import { failingArchiveFiles } from ${JSON.stringify(FAILING_FILES_MODULE)};
    const input = JSON.parse(await new Response(Deno.stdin.readable).text());
    const archive = new ParquetArchive({
      dataDir: input.dataDir,
      topic: input.topic,
      maxRowsPerFile: input.maxRowsPerFile,
      files: failingArchiveFiles((fault, count) => {
        if (fault === input.crashAt && count === input.crashOnFile) Deno.exit(86);
      }),
    });
    archive.stage(input.staged);
    while (archive.flush()) {}
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", CHILD_CONFIG, "--ext=ts", code],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(run)));
  await writer.close();
  const { code: exit, stderr } = await child.output();
  if (exit !== 0 && exit !== 86) throw new Error(new TextDecoder().decode(stderr));
  return exit;
}

const CRASH_POINTS: Record<ArchiveFault, string> = {
  "after-write": "after writing the temp file",
  "before-rename": "after the commit, before the rename",
  "after-rename": "after the rename, before clearing the pending mark",
};

for (const step of ["after-write", "before-rename", "after-rename"] as const) {
  Deno.test(`parquet archive: a process dying ${CRASH_POINTS[step]} neither skips nor repeats a record`, async () => {
    const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-crash-" });
    const dir = archiveDir(dataDir, "ratings");
    const first = positioned("ratings", { partitions: 3, perPartition: 20 });
    // The child dies during its second file (the first is complete).
    const exit = await crashingChild({
      dataDir,
      topic: "ratings",
      staged: first.staged,
      crashAt: step,
      crashOnFile: 2,
      maxRowsPerFile: 25,
    });
    assert.equal(exit, 86, "the child died where told");
    const finals = readAll(dir).length;
    const temps = leftovers(dir).length;
    if (step === "after-write") assert.deepEqual([finals, temps], [25, 1]);
    if (step === "before-rename") assert.deepEqual([finals, temps], [25, 1]);
    if (step === "after-rename") assert.deepEqual([finals, temps], [50, 0]);

    // Restart: the broker never committed, so everything is delivered again, then new records.
    const archive = new ParquetArchive({ dataDir, topic: "ratings", maxRowsPerFile: 25 });
    try {
      assert.deepEqual(leftovers(dir), [], "recovery leaves no temp file");
      const alreadyFiled = step === "after-write" ? 25 : 50;
      assert.equal(readAll(dir).length, alreadyFiled);
      const next = positioned("ratings", { partitions: 3, perPartition: 7, firstOffset: 20 });
      assert.equal(archive.spooled(), 60 - alreadyFiled, "the rest is still spooled");
      assert.equal(archive.stage([...first.staged, ...next.staged]), 21, "replays are ignored");
      while (archive.flush());
      assertExactlyOnce(dir, new Map([...first.expected, ...next.expected]));
      assert.deepEqual(archive.highWaterMarks(), new Map([[0, 26], [1, 26], [2, 26]]));
    } finally {
      archive.close();
    }
  });
}

Deno.test("parquet archive: two processes staging and flushing the same records write each once", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archive-race-" });
  const { staged, expected } = positioned("clicks", { partitions: 4, perPartition: 150 });
  // Each child stages and flushes 20 records at a time, in the same order.
  const code = `
    import { ParquetArchive } from ${JSON.stringify(ARCHIVE_MODULE)};
    const input = JSON.parse(await new Response(Deno.stdin.readable).text());
    const archive = new ParquetArchive({ dataDir: input.dataDir, topic: "clicks" });
    for (let i = 0; i < input.staged.length; i += 20) {
      archive.stage(input.staged.slice(i, i + 20));
      archive.flush();
    }
    archive.close();
  `;
  const run = async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", CHILD_CONFIG, "--ext=ts", code],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify({ dataDir, staged })));
    await writer.close();
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  };
  await Promise.all([run(), run()]);
  const dir = archiveDir(dataDir, "clicks");
  assert.deepEqual(leftovers(dir), []);
  assertExactlyOnce(dir, expected);
});

Deno.test("archiveFileName: topic, UTC time to the millisecond, padded sequence", () => {
  assert.equal(
    archiveFileName("views", Date.UTC(2025, 1, 16, 7, 29, 49, 5), 42),
    "views-20250216T072949005-000042.parquet",
  );
});
