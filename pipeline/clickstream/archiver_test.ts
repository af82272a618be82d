import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { EmbeddedLog } from "../embedded/log_broker.ts";
import type { Broker, BrokerRecord, OutgoingRecord } from "../ports.ts";
import type { Logger } from "../logger.ts";
import { consumeCount } from "../testing/broker_contract.ts";
import { readParquetFile } from "../testing/parquet_reader.ts";
import {
  expectedRow,
  invalidSamples,
  type Sample,
  samples,
} from "../testing/clickstream_samples.ts";
import type { ClickstreamTopic } from "./events.ts";
import { archiveGroupId, type ArchiverStats, runArchiver } from "./archiver.ts";
import { archiveDir, type FlushResult, SPOOL_FILE } from "./parquet_archive.ts";

const encoder = new TextEncoder();

function capturingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    info: (message) => lines.push({ level: "info", message }),
    warn: (message) => lines.push({ level: "warn", message }),
    error: (message) => lines.push({ level: "error", message }),
  };
}

/** Produces `valid` samples with the invalid records interleaved; returns the samples by value. */
async function produce(
  broker: Broker,
  topic: ClickstreamTopic,
  valid: Sample[],
  withInvalid = true,
): Promise<{ byValue: Map<string, Sample>; invalid: number }> {
  const bad = withInvalid ? invalidSamples(topic) : [];
  const records: OutgoingRecord[] = [];
  const byValue = new Map<string, Sample>();
  valid.forEach((sample, i) => {
    const text = JSON.stringify(sample.json);
    byValue.set(text, sample);
    records.push({ key: `user-${i}`, value: encoder.encode(text) });
    if (i % 10 === 3 && bad.length > 0) {
      records.push({ key: `bad-${i}`, value: bad.shift()!.bytes });
    }
  });
  const invalid = withInvalid ? invalidSamples(topic).length - bad.length : 0;
  await broker.produce(topic, records);
  return { byValue, invalid };
}

/** The rows every valid record in the topic must have in the archive, by (partition, offset). */
async function expectedFromLog(
  broker: Broker,
  topic: ClickstreamTopic,
  total: number,
  byValue: Map<string, Sample>,
): Promise<Map<string, Record<string, unknown>>> {
  const all: BrokerRecord[] = await consumeCount(
    broker,
    `check-${crypto.randomUUID()}`,
    [topic],
    total,
  );
  assert.equal(all.length, total);
  const expected = new Map<string, Record<string, unknown>>();
  for (const record of all) {
    const sample = byValue.get(new TextDecoder().decode(record.value));
    if (sample) {
      expected.set(
        `${record.partition}:${record.offset}`,
        expectedRow(sample, record.partition, record.offset),
      );
    }
  }
  return expected;
}

function assertArchiveHolds(dir: string, expected: Map<string, Record<string, unknown>>): void {
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".parquet"));
  const rows = files.flatMap((f) => readParquetFile(join(dir, f)).rows);
  const positions = rows.map((r) => `${r.source_partition}:${r.source_offset}`);
  assert.equal(new Set(positions).size, positions.length, "no record is archived twice");
  assert.deepEqual(positions.sort(), [...expected.keys()].sort(), "exactly the valid records");
  for (const row of rows) {
    assert.deepEqual(row, expected.get(`${row.source_partition}:${row.source_offset}`));
  }
}

/** Runs the archiver until it has written `rows` rows (or `timeoutMs` passes), then stops it. */
async function archiveUntil(
  broker: Broker,
  topic: ClickstreamTopic,
  dataDir: string,
  rows: number,
  log: Logger,
  timeoutMs = 20_000,
): Promise<{ stats: ArchiverStats; files: FlushResult[] }> {
  const controller = new AbortController();
  const files: FlushResult[] = [];
  let written = 0;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const stats = await runArchiver({
    broker,
    topic,
    dataDir,
    intervalMs: 25,
    maxBatch: 37,
    signal: controller.signal,
    log,
    onFile: (file) => {
      files.push(file);
      written += file.rows;
      if (written >= rows) controller.abort();
    },
  });
  clearTimeout(timer);
  return { stats, files };
}

Deno.test("archiver: files hold exactly the valid records, and a second run repeats none", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archiver-" });
  const broker = new EmbeddedLog({ path: join(dataDir, "log.db"), pollMs: 5 });
  const topic = "clicks";
  try {
    await broker.createTopics([{ name: topic, partitions: 3 }]);
    const first = samples(topic, 240, 5);
    const one = await produce(broker, topic, first);
    assert.equal(one.invalid, 7);
    const log = capturingLogger();
    const run1 = await archiveUntil(broker, topic, dataDir, 240, log);
    assert.deepEqual(
      [run1.stats.staged, run1.stats.skipped, run1.stats.rows],
      [240, 7, 240],
    );
    const warnings = log.lines.filter((l) => l.level === "warn").map((l) => l.message);
    const skippedInWarnings = warnings
      .map((w) => Number(/^skipped (\d+) invalid clicks record/.exec(w)?.[1]))
      .reduce((a, b) => a + b, 0);
    assert.equal(skippedInWarnings, 7, `warnings: ${warnings.join(" | ")}`);
    assert.ok(warnings.length <= run1.stats.files + 1, "at most one warning per flush");
    assert.equal(log.lines.filter((l) => l.level === "error").length, 0);
    const dir = archiveDir(dataDir, topic);
    const expected1 = await expectedFromLog(broker, topic, 247, one.byValue);
    assert.equal(expected1.size, 240);
    assertArchiveHolds(dir, expected1);

    const second = samples(topic, 60, 6);
    const two = await produce(broker, topic, second);
    const run2 = await archiveUntil(broker, topic, dataDir, 60, capturingLogger());
    assert.equal(run2.stats.staged, 60, "the group resumes after what it committed");
    assert.equal(run2.stats.rows, 60);
    const expected = await expectedFromLog(
      broker,
      topic,
      247 + 60 + two.invalid,
      new Map([...one.byValue, ...two.byValue]),
    );
    assertArchiveHolds(dir, expected);
  } finally {
    await broker.close();
  }
});

Deno.test("archiver: a quiet topic gets no files, however many ticks pass", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archiver-" });
  const broker = new EmbeddedLog({ path: join(dataDir, "log.db"), pollMs: 5 });
  try {
    await broker.createTopics([{ name: "views", partitions: 2 }]);
    const controller = new AbortController();
    const files: FlushResult[] = [];
    const running = runArchiver({
      broker,
      topic: "views",
      dataDir,
      intervalMs: 5,
      signal: controller.signal,
      onFile: (file) => files.push(file),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    const stats = await running;
    assert.deepEqual(files, []);
    assert.deepEqual(stats, { staged: 0, skipped: 0, files: 0, rows: 0 });
    const names = [...Deno.readDirSync(archiveDir(dataDir, "views"))].map((e) => e.name);
    assert.deepEqual(names.filter((n) => n.endsWith(".parquet")), []);
  } finally {
    await broker.close();
  }
});

Deno.test("archiver: a batch is staged durably before the broker may commit it, and flushed on stop", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archiver-" });
  const log = new EmbeddedLog({ path: join(dataDir, "log.db"), pollMs: 5 });
  const topic = "ratings";
  const notDurable: string[] = [];
  let batches = 0;
  const controller = new AbortController();
  // Between `handle` resolving and the commit, look at the spool through a connection of its own.
  const broker: Broker = {
    createTopics: (t) => log.createTopics(t),
    partitions: (t) => log.partitions(t),
    produce: (t, r) => log.produce(t, r),
    tail: (o) => log.tail(o),
    close: () => log.close(),
    consume: (options) =>
      log.consume({
        ...options,
        handle: async (batch) => {
          await options.handle(batch);
          const spool = new DatabaseSync(join(archiveDir(dataDir, topic), SPOOL_FILE));
          const kept = spool.prepare(
            `SELECT (SELECT count(*) FROM spool WHERE partition = ?1 AND offset = ?2)
                  + (SELECT count(*) FROM archived WHERE partition = ?1 AND high_water >= ?2) AS n`,
          );
          for (const record of batch.records) {
            const n = Number((kept.get(record.partition, record.offset) as { n: number }).n);
            if (n === 0) notDurable.push(`${record.partition}:${record.offset}`);
          }
          spool.close();
          if (++batches >= 4) controller.abort();
        },
      }),
  };
  try {
    await broker.createTopics([{ name: topic, partitions: 2 }]);
    await produce(broker, topic, samples(topic, 40, 8), false);
    const handled: string[] = [];
    const stats = await runArchiver({
      broker: {
        ...broker,
        consume: (options) =>
          broker.consume({
            ...options,
            handle: (batch) => {
              handled.push(...batch.records.map((r) => `${r.partition}:${r.offset}`));
              return options.handle(batch);
            },
          }),
      },
      topic,
      dataDir,
      intervalMs: 60_000,
      maxBatch: 5,
      signal: controller.signal,
    });
    assert.equal(batches, 4);
    assert.deepEqual(notDurable, []);
    // The timer never fired: the last flush on stop wrote everything handled.
    assert.deepEqual([stats.files, stats.rows], [1, 20]);
    const dir = archiveDir(dataDir, topic);
    const [file] = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.endsWith(".parquet")
    );
    const archived = readParquetFile(join(dir, file)).rows.map((r) =>
      `${r.source_partition}:${r.source_offset}`
    );
    assert.deepEqual(archived.sort(), handled.sort());
  } finally {
    await broker.close();
  }
});

Deno.test("archiver: its consumer group is its own", () => {
  assert.equal(archiveGroupId("views"), "streamboard-archive-views");
});
