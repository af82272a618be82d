import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Config, DEFAULTS, withConfig } from "../../config.ts";
import { EmbeddedLog } from "../embedded/log_broker.ts";
import { SqliteRawStore } from "../embedded/raw_store.ts";
import { SqliteAggregateStore } from "../embedded/aggregate_store.ts";
import type { Broker, BrokerRecord, OutgoingRecord } from "../ports.ts";
import { StreamProcessor } from "../processor.ts";
import { STREAMS } from "../stream_registry.ts";
import { silentLogger } from "../logger.ts";
import { until } from "../testing/until.ts";
import { consumeCount } from "../testing/broker_contract.ts";
import { readParquetFile } from "../testing/parquet_reader.ts";
import {
  expectedRow,
  invalidSamples,
  type Sample,
  samples,
} from "../testing/clickstream_samples.ts";
import type { ClickstreamTopic } from "./events.ts";
import { clickstreamNames, clickstreamStream } from "./clickstream_stream.ts";
import { archiveSink, runArchiveFlusher } from "./archiver.ts";
import { archiveDir, type FlushResult, ParquetArchive, SPOOL_FILE } from "./parquet_archive.ts";

const encoder = new TextEncoder();

async function open(partitions: number) {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archiver-" });
  const config: Config = withConfig(DEFAULTS, { stores: { dataDir }, broker: { partitions } });
  const broker = new EmbeddedLog({ path: join(dataDir, "log.db"), pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(config));
  const raw = new SqliteRawStore(join(dataDir, "store.db"));
  const aggregates = new SqliteAggregateStore(join(dataDir, "store.db"));
  const close = () => Promise.all([broker.close(), raw.close(), aggregates.close()]);
  return { config, broker, raw, aggregates, close };
}

type Opened = Awaited<ReturnType<typeof open>>;

/** What `produce` sends to a topic. */
interface Production {
  /** Valid samples, sent in order. */
  valid: Sample[];
  /** Whether the topic's invalid samples are interleaved with them; true by default. */
  withInvalid?: boolean;
}

/** Produces `valid` samples with the invalid records interleaved; returns the samples by value. */
async function produce(
  broker: Broker,
  topic: ClickstreamTopic,
  { valid, withInvalid = true }: Production,
): Promise<Map<string, Sample>> {
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
  await broker.produce(topic, records);
  return byValue;
}

/** Valid records an hour older than the samples: late once their partition has moved on. */
function lateRecords(topic: ClickstreamTopic, count: number): OutgoingRecord[] {
  return samples(topic, count, 42).map((sample, i) => ({
    key: `late-${i}`,
    value: encoder.encode(JSON.stringify({
      ...sample.json,
      timestamp: new Date(sample.ms - 3_600_000).toISOString(),
    })),
  }));
}

/** What `processUntil` processes, and until when. */
interface ProcessingRun {
  /** The topic processed and archived. */
  topic: ClickstreamTopic;
  /** Whether the files written so far are all that is waited for. */
  done: (files: FlushResult[]) => boolean;
  /** The broker read from; the opened one by default. */
  broker?: Broker;
}

/**
 * Runs the topic's processor with its archive (flushed every 25 ms) until
 * `done` holds, then stops both; returns the files written.
 */
async function processUntil(
  opened: Opened,
  { topic, done, broker = opened.broker }: ProcessingRun,
): Promise<FlushResult[]> {
  const { config, raw, aggregates } = opened;
  const archive = new ParquetArchive({ dataDir: config.stores.dataDir, topic });
  const files: FlushResult[] = [];
  const stopProcessor = new AbortController();
  const stopFlusher = new AbortController();
  const definition = clickstreamStream(topic, config, { aggregates });
  const archived = { ...definition, sinks: [archiveSink(archive)] };
  const processor = new StreamProcessor(archived, {
    broker,
    raw,
    aggregates,
    log: silentLogger,
  });
  const running = processor.run(clickstreamNames(topic).group, stopProcessor.signal, 37);
  const flushing = runArchiveFlusher({
    archive,
    signal: stopFlusher.signal,
    intervalMs: 25,
    onFile: (file) => files.push(file),
  });
  try {
    await until(() => Promise.resolve(done(files)), 20_000);
  } finally {
    stopProcessor.abort();
    await running;
    stopFlusher.abort();
    await flushing;
    archive.close();
  }
  return files;
}

function archivedRows(dir: string): Record<string, unknown>[] {
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".parquet"));
  return files.flatMap((f) => readParquetFile(join(dir, f)).rows);
}

const position = (r: { partition: number; offset: number }) => `${r.partition}:${r.offset}`;

Deno.test("the archive holds exactly the records the processor accepted: none invalid, none late, none twice", async () => {
  const opened = await open(3);
  const { broker, config } = opened;
  const topic = "clicks";
  const dlq = clickstreamNames(topic).dlqTopic;
  try {
    const byValue = await produce(broker, topic, { valid: samples(topic, 240, 5) });
    await broker.produce(topic, lateRecords(topic, 5));
    const rows = (files: FlushResult[]) => files.reduce((n, f) => n + f.rows, 0);
    await processUntil(opened, { topic, done: (files) => rows(files) >= 240 });
    const all: BrokerRecord[] = await consumeCount(broker, {
      groupId: `check-${crypto.randomUUID()}`,
      topics: [
        topic,
      ],
      count: 252,
    });
    const dead = await consumeCount(broker, {
      groupId: `check-${crypto.randomUUID()}`,
      topics: [dlq],
      count: 12,
    });
    assert.equal(dead.length, 12, "7 invalid and 5 late records are dead-lettered");
    assert.equal(dead.filter((d) => d.headers.reason === "late").length, 5);
    const deadAt = new Set(
      dead.map((d) => `${d.headers["source.partition"]}:${d.headers["source.offset"]}`),
    );

    const expected = new Map<string, Record<string, unknown>>();
    for (const record of all) {
      const sample = byValue.get(new TextDecoder().decode(record.value));
      if (sample) {
        expected.set(position(record), expectedRow(sample, record.partition, record.offset));
      }
    }
    assert.equal(expected.size, 240);
    const dir = archiveDir(config.stores.dataDir, topic);
    const archived = archivedRows(dir);
    const at = archived.map((r) =>
      position({ partition: Number(r.source_partition), offset: Number(r.source_offset) })
    );
    assert.equal(new Set(at).size, at.length, "no record is archived twice");
    assert.deepEqual(at.sort(), [...expected.keys()].sort(), "exactly the accepted records");
    for (const row of archived) {
      assert.deepEqual(row, expected.get(`${row.source_partition}:${row.source_offset}`));
    }
    assert.deepEqual(at.filter((p) => deadAt.has(p)), [], "no record is both archived and dead");
    assert.equal(at.length + deadAt.size, all.length, "every record ends in one place");

    // A second run resumes after what the group committed and repeats nothing.
    const later = samples(topic, 60, 6).map((sample) => {
      const ms = sample.ms + 3_600_000;
      return { json: { ...sample.json, timestamp: new Date(ms).toISOString() }, ms };
    });
    const more = await produce(broker, topic, { valid: later, withInvalid: false });
    const second = await processUntil(opened, { topic, done: (files) => rows(files) >= 60 });
    assert.equal(rows(second), 60);
    assert.equal(archivedRows(dir).length, 300);
    assert.equal(more.size, 60);
  } finally {
    await opened.close();
  }
});

Deno.test("the archive flusher writes no files for a quiet topic, however many ticks pass", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "streamboard-archiver-" });
  const archive = new ParquetArchive({ dataDir, topic: "views" });
  const controller = new AbortController();
  const files: FlushResult[] = [];
  const running = runArchiveFlusher({
    archive,
    signal: controller.signal,
    intervalMs: 5,
    onFile: (file) => files.push(file),
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  controller.abort();
  assert.deepEqual(await running, { files: 0, rows: 0 });
  assert.deepEqual(files, []);
  assert.deepEqual(archive.files(), []);
  archive.close();
});

Deno.test("accepted records are staged durably before the broker may commit their batch", async () => {
  const opened = await open(2);
  const { config } = opened;
  const topic = "ratings";
  const notDurable: string[] = [];
  const handled: string[] = [];
  let batches = 0;
  // Between the processor's `handle` resolving and the commit, look at the spool
  // through a connection of its own.
  const broker: Broker = {
    ...opened.broker,
    createTopics: (t) => opened.broker.createTopics(t),
    partitions: (t) => opened.broker.partitions(t),
    produce: (t, r) => opened.broker.produce(t, r),
    tail: (o) => opened.broker.tail(o),
    describeTopics: () => opened.broker.describeTopics(),
    read: (o) => opened.broker.read(o),
    offsetForTime: (o) => opened.broker.offsetForTime(o),
    describeGroups: () => opened.broker.describeGroups(),
    close: () => opened.broker.close(),
    consume: (options) =>
      opened.broker.consume({
        ...options,
        handle: async (batch) => {
          await options.handle(batch);
          const spool = new DatabaseSync(
            join(archiveDir(config.stores.dataDir, topic), SPOOL_FILE),
          );
          const kept = spool.prepare(
            `SELECT (SELECT count(*) FROM spool WHERE partition = ?1 AND offset = ?2)
                  + (SELECT count(*) FROM archived WHERE partition = ?1 AND high_water >= ?2) AS n`,
          );
          for (const record of batch.records) {
            handled.push(position(record));
            const n = Number((kept.get(record.partition, record.offset) as { n: number }).n);
            if (n === 0) notDurable.push(position(record));
          }
          spool.close();
          batches++;
        },
      }),
  };
  try {
    await produce(opened.broker, topic, { valid: samples(topic, 40, 8), withInvalid: false });
    await processUntil(opened, { topic, done: () => handled.length >= 40, broker });
    assert.ok(batches >= 2);
    assert.deepEqual(notDurable, []);
    const archived = archivedRows(archiveDir(config.stores.dataDir, topic)).map((r) =>
      `${r.source_partition}:${r.source_offset}`
    );
    assert.deepEqual(archived.sort(), handled.sort(), "the last flush on stop wrote the rest");
  } finally {
    await opened.close();
  }
});
