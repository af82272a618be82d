/**
 * Exactly once per event id, through the processor on the embedded log and
 * stores: resent sales and users are stored and counted once, and each resend
 * is dead-lettered as `duplicate`.
 */

import assert from "node:assert/strict";
import { type Config, type ConfigChanges, DEFAULTS, withConfig } from "../config.ts";
import type { OutgoingRecord } from "./ports.ts";
import { EmbeddedLog } from "./embedded/log_broker.ts";
import { SqliteRawStore } from "./embedded/raw_store.ts";
import { SqliteAggregateStore } from "./embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "./embedded/event_id_store.ts";
import { StreamProcessor } from "./processor.ts";
import { STREAMS } from "./stream_registry.ts";
import type { StreamName } from "./stream_module.ts";
import { silentLogger } from "./logger.ts";
import { seededRandom } from "./random.ts";
import { partitionFor } from "./partitioner.ts";
import { Crashing } from "./testing/crashing.ts";
import { until } from "./testing/until.ts";
import { collectTail } from "./testing/tail_collector.ts";
import { delay } from "./async.ts";
import { runProducer } from "./producer.ts";
import { fileRecords } from "./sources/file_source.ts";
import { SALES } from "./sales/sales_stream.ts";
import { USERS } from "./users/users_stream.ts";
import { salesSnapshot } from "../server/sales_data.ts";
import { userStats } from "../server/users_data.ts";

const encoder = new TextEncoder();
const PARTITIONS = 4;
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);

/** Embedded log and stores in a fresh data directory. */
async function open(changes: ConfigChanges = {}) {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-dedup-" });
  const full = withConfig(
    withConfig(DEFAULTS, { stores: { dataDir }, broker: { partitions: PARTITIONS } }),
    changes,
  );
  const broker = new EmbeddedLog({ path: `${dataDir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(full));
  return withStores({ config: full, dataDir, broker });
}

/** The stores of a data directory, opened (again), beside its log. */
function withStores(env: { config: Config; dataDir: string; broker: EmbeddedLog }) {
  const stores = {
    raw: new SqliteRawStore(`${env.dataDir}/store.db`),
    aggregates: new SqliteAggregateStore(`${env.dataDir}/store.db`),
    eventIds: new SqliteEventIdStore(`${env.dataDir}/store.db`),
  };
  const closeStores = () =>
    Promise.all([stores.raw.close(), stores.aggregates.close(), stores.eventIds.close()]);
  const close = () => Promise.all([env.broker.close(), closeStores()]);
  return { ...env, ...stores, closeStores, close };
}

type Opened = Awaited<ReturnType<typeof open>>;

function processor(env: Opened, stream: StreamName, now?: () => number) {
  return new StreamProcessor(STREAMS.get(stream).definition(env), {
    ...env,
    log: silentLogger,
    now,
  });
}

/** Runs `p` until `done()` holds (and a moment more, for anything counted twice), then stops it. */
async function runUntil(
  p: StreamProcessor<unknown>,
  stream: StreamName,
  done: () => Promise<boolean>,
) {
  const controller = new AbortController();
  const running = p.run(STREAMS.get(stream).topics.group, controller.signal, 50);
  await until(done);
  await delay(50);
  controller.abort();
  await running;
}

/** Collects the dead letters of a stream from now on, until `stop()`. */
function deadLetters(env: Opened, stream: StreamName) {
  return collectTail(env.broker, [STREAMS.get(stream).topics.dlqTopic]);
}

async function rejected(env: Opened, stream: string): Promise<Record<string, number>> {
  const rows = await env.aggregates.totals(stream, "rejected");
  return Object.fromEntries(rows.map((r) => [r.key, Number(r.value)]));
}

/** A key the sales topic's partitioner puts on `partition`. */
function keyOn(partition: number): string {
  for (let n = 0;; n++) {
    if (partitionFor(`k-${n}`, PARTITIONS) === partition) return `k-${n}`;
  }
}

function sale(id: string, total: number, timestamp: string) {
  return {
    id,
    product: "Laptop",
    category: "Electronics",
    quantity: 1,
    unit_price: total,
    total,
    payment_method: "cash",
    city: "London",
    country: "United Kingdom",
    latitude: 51.5074,
    longitude: -0.1278,
    timestamp,
  };
}

function record(value: unknown, key: string | null): OutgoingRecord {
  return { key, value: encoder.encode(JSON.stringify(value)) };
}

function user(seed: number) {
  return STREAMS.get("users").source.generator({ history: false })(seededRandom(seed), NOW) as {
    login: { uuid: string };
  };
}

Deno.test("a sale id sent twice, on one partition or on two, is stored and counted once", async () => {
  const env = await open();
  const dlq = await deadLetters(env, "sales");
  const a = sale("sale-a", 100, "2026-01-10T12:00:00Z");
  const b = sale("sale-b", 50, "2026-01-10T12:00:01Z");
  await env.broker.produce(SALES.topic, [
    record(a, keyOn(0)),
    record(b, keyOn(0)),
    record(a, keyOn(0)), // a resend on the same partition
    record(b, keyOn(1)), // a resend keyed differently: another partition
  ]);
  await runUntil(processor(env, "sales"), "sales", async () => {
    const { kpi } = await salesSnapshot(env.aggregates);
    return kpi.transactions === 2 && (await rejected(env, SALES.name)).duplicate === 2;
  });
  const { kpi } = await salesSnapshot(env.aggregates);
  assert.deepEqual(kpi, {
    revenue: 150,
    revenueText: "150.00",
    transactions: 2,
    averageTicket: 75,
    averageTicketText: "75.00",
  });
  assert.equal(await env.raw.count(SALES.collection), 2);
  assert.deepEqual(await rejected(env, SALES.name), { duplicate: 2 });
  await dlq.stop();
  const dead = dlq.list;
  assert.equal(dead.length, 2);
  const sameAsA = dead.find((d) => d.headers["event.id"] === "sale-a")!;
  assert.equal(sameAsA.headers.reason, "duplicate");
  assert.deepEqual(
    [sameAsA.headers["source.partition"], sameAsA.headers["source.offset"]],
    ["0", "2"],
  );
  assert.deepEqual(
    [sameAsA.headers["duplicate.of.partition"], sameAsA.headers["duplicate.of.offset"]],
    ["0", "0"],
  );
  assert.deepEqual(sameAsA.value, encoder.encode(JSON.stringify(a)), "the resend as it came");
  // Which copy of b wins depends on which partition is processed first; the other names it.
  const sameAsB = dead.find((d) => d.headers["event.id"] === "sale-b")!;
  const copies = ["0/1", "1/0"];
  const deadAt = `${sameAsB.headers["source.partition"]}/${sameAsB.headers["source.offset"]}`;
  const owner = `${sameAsB.headers["duplicate.of.partition"]}/${
    sameAsB.headers["duplicate.of.offset"]
  }`;
  assert.ok(copies.includes(deadAt) && copies.includes(owner) && deadAt !== owner);
  await env.close();
});

Deno.test("a refused record gives its id back: the corrected resend is counted, not a duplicate", async () => {
  const env = await open();
  const dlq = await deadLetters(env, "sales");
  const wrong = sale("sale-fix", 100, "2099-01-01T00:00:00Z"); // a producer clock gone wrong
  const fixed = sale("sale-fix", 100, "2026-01-10T12:00:00Z");
  await env.broker.produce(SALES.topic, [record(wrong, keyOn(0))]);
  await runUntil(
    processor(env, "sales", () => NOW),
    "sales",
    async () => (await rejected(env, SALES.name)).invalid === 1,
  );
  await env.broker.produce(SALES.topic, [record(fixed, keyOn(1)), record(fixed, keyOn(2))]);
  await runUntil(
    processor(env, "sales", () => NOW),
    "sales",
    async () => (await salesSnapshot(env.aggregates)).kpi.transactions === 1,
  );
  assert.deepEqual(await rejected(env, SALES.name), { invalid: 1, duplicate: 1 });
  assert.equal(await env.raw.count(SALES.collection), 1);
  await dlq.stop();
  assert.deepEqual(dlq.list.map((d) => d.headers["error.code"]), ["invalid", "duplicate"]);
  await env.close();
});

Deno.test("a user sent again with its uuid in upper case is one stored user, counted once", async () => {
  const env = await open();
  const first = user(1);
  const again = { ...first, login: { ...first.login, uuid: first.login.uuid.toUpperCase() } };
  await env.broker.produce(USERS.topic, [
    record(first, first.login.uuid),
    record(again, again.login.uuid),
    record(first, first.login.uuid),
  ]);
  await runUntil(
    processor(env, "users"),
    "users",
    async () => (await userStats(env.aggregates)).rejected === 2,
  );
  const stats = await userStats(env.aggregates);
  assert.equal(stats.total, 1);
  assert.deepEqual(await rejected(env, USERS.name), { duplicate: 2 });
  assert.equal(await env.raw.count(USERS.collection), 1);
  assert.equal((await env.raw.latest(USERS.collection))?.id, first.login.uuid.toLowerCase());
  await env.close();
});

Deno.test("a batch delivered again after a crash that followed its claims is processed, not called a duplicate", async () => {
  const env = await open({ broker: { partitions: 1 } });
  const sales = Array.from(
    { length: 20 },
    (_, i) => sale(`s-${i}`, 10, `2026-01-10T12:00:${String(i).padStart(2, "0")}Z`),
  );
  const dlq = await deadLetters(env, "sales");
  await env.broker.produce(SALES.topic, sales.map((s) => record(s, "one")));
  // Write 1 is the claim of the first batch; the crash comes at write 2, before anything is stored.
  const crash = new Crashing(2);
  await new StreamProcessor(STREAMS.get("sales").definition(env), {
    broker: crash.broker(env.broker),
    raw: crash.raw(env.raw),
    aggregates: crash.aggregates(env.aggregates),
    eventIds: crash.eventIds(env.eventIds),
    log: silentLogger,
  }).run(SALES.group, crash.controller.signal, 50).catch(() => {});
  assert.ok(crash.remaining <= 0, "the processor crashed");
  const claimed = await env.eventIds.claim(SALES.name, [
    { id: "s-0", partition: 0, offset: 999, at: NOW },
  ]);
  assert.deepEqual(claimed.get("s-0"), { partition: 0, offset: 0 }, "claimed before the crash");
  await runUntil(
    processor(env, "sales"),
    "sales",
    async () => (await salesSnapshot(env.aggregates)).kpi.transactions === 20,
  );
  assert.equal((await salesSnapshot(env.aggregates)).kpi.revenue, 200);
  assert.deepEqual(await rejected(env, SALES.name), {});
  await dlq.stop();
  assert.equal(dlq.list.length, 0);
  await env.close();
});

Deno.test("claims outlive the processor: a resend after a restart is still a duplicate", async () => {
  const before = await open();
  const a = sale("kept-a", 100, "2026-01-10T12:00:00Z");
  await before.broker.produce(SALES.topic, [record(a, keyOn(2))]);
  await runUntil(
    processor(before, "sales"),
    "sales",
    async () => (await salesSnapshot(before.aggregates)).kpi.transactions === 1,
  );
  await before.closeStores();
  const after = withStores(before);
  const dlq = await deadLetters(after, "sales");
  await after.broker.produce(SALES.topic, [record(a, keyOn(3))]);
  await runUntil(
    processor(after, "sales"),
    "sales",
    async () => (await rejected(after, SALES.name)).duplicate === 1,
  );
  assert.equal((await salesSnapshot(after.aggregates)).kpi.transactions, 1);
  await dlq.stop();
  const [dead] = dlq.list;
  assert.deepEqual(
    [dead.headers["duplicate.of.partition"], dead.headers["duplicate.of.offset"]],
    ["2", "0"],
  );
  await after.close();
});

Deno.test("an id is remembered for the horizon and forgotten after it", async () => {
  const env = await open({ stores: { dedupHorizonHours: 1 } });
  let clock = NOW;
  const p = processor(env, "sales", () => clock);
  const a = sale("h-a", 100, "2026-01-10T12:00:00Z");
  const transactions = async () => (await salesSnapshot(env.aggregates)).kpi.transactions;
  const signal = new AbortController().signal;
  await env.broker.produce(SALES.topic, [record(a, "one")]);
  await runUntil(p, "sales", async () => (await transactions()) === 1);
  clock = NOW + 59 * 60_000;
  await p.tick(signal);
  await env.broker.produce(SALES.topic, [record(a, "one")]);
  await runUntil(p, "sales", async () => (await rejected(env, SALES.name)).duplicate === 1);
  assert.equal(await transactions(), 1, "within the hour: a duplicate");
  clock = NOW + 61 * 60_000;
  await p.tick(signal);
  await env.broker.produce(SALES.topic, [record(a, "one")]);
  await runUntil(p, "sales", async () => (await transactions()) === 2);
  assert.deepEqual(await rejected(env, SALES.name), { duplicate: 1 }, "past the hour: new again");
  await env.close();
});

/** Produces a file through the file source, as `deno task produce --file` does. */
async function replay(env: Opened, stream: StreamName, path: string) {
  await runProducer({
    broker: env.broker,
    topic: STREAMS.get(stream).topics.topic,
    source: fileRecords(path, STREAMS.get(stream).source.key),
    rate: 0,
    batchSize: 100,
    lingerMs: 5,
    signal: new AbortController().signal,
  });
}

/** What the page of a stream counts, and the documents stored. */
async function totals(env: Opened, stream: "users" | "sales") {
  const stored = await env.raw.count(STREAMS.get(stream).topics.collection);
  if (stream === "sales") {
    const { rejected: _, ...figures } = await salesSnapshot(env.aggregates);
    return { stored, ...figures };
  }
  const { rejected: _, ...stats } = await userStats(env.aggregates);
  const countries = await env.aggregates.totals(USERS.name, "country");
  return { stored, ...stats, countries };
}

for (const stream of ["users", "sales"] as const) {
  Deno.test(`${stream}: a duplicate-laden file replayed twice gives the totals of the clean file`, async () => {
    const random = seededRandom(42);
    const generate = STREAMS.get(stream).source.generator({ history: false });
    const clean = Array.from({ length: 60 }, () => generate(random, NOW));
    const lines = clean.flatMap((value, i) => {
      const line = JSON.stringify(value);
      if (i % 5 === 1) return [line, line]; // a duplicate line
      if (i % 7 === 2 && stream === "users") {
        // the same user, its uuid in upper case
        const u = value as { login: { uuid: string } };
        return [
          line,
          JSON.stringify({ ...u, login: { ...u.login, uuid: u.login.uuid.toUpperCase() } }),
        ];
      }
      return [line];
    });
    const dir = await Deno.makeTempDir({ prefix: "streamboard-replay-" });
    await Deno.writeTextFile(`${dir}/clean.jsonl`, clean.map((v) => JSON.stringify(v)).join("\n"));
    await Deno.writeTextFile(`${dir}/dirty.jsonl`, lines.join("\n"));

    const reference = await open();
    await replay(reference, stream, `${dir}/clean.jsonl`);
    const p = processor(reference, stream);
    await runUntil(p, stream, async () => (await totals(reference, stream)).stored === 60);
    const expected = await totals(reference, stream);

    const env = await open();
    await replay(env, stream, `${dir}/dirty.jsonl`);
    await replay(env, stream, `${dir}/dirty.jsonl`);
    const duplicates = 2 * lines.length - clean.length;
    await runUntil(
      processor(env, stream),
      stream,
      async () => (await rejected(env, stream)).duplicate === duplicates,
    );
    assert.deepEqual(await totals(env, stream), expected);
    assert.deepEqual(
      await rejected(env, stream),
      { duplicate: duplicates },
      "every copy accounted for",
    );
    await env.close();
  });
}
