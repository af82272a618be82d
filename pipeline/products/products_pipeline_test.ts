import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { type Config, DEFAULTS, withConfig } from "../../config.ts";
import type { Broker, BrokerRecord, GroupConsumeOptions, OutgoingRecord } from "../ports.ts";
import { EmbeddedLog } from "../embedded/log_broker.ts";
import { SqliteRawStore } from "../embedded/raw_store.ts";
import { SqliteAggregateStore } from "../embedded/aggregate_store.ts";
import { StreamProcessor } from "../processor.ts";
import { STREAMS } from "../stream_registry.ts";
import { silentLogger } from "../logger.ts";
import { delay } from "../async.ts";
import { seededRandom } from "../random.ts";
import { Crashing, override } from "../testing/crashing.ts";
import { partitionFor } from "../partitioner.ts";
import { productsSnapshot } from "../../server/products_data.ts";
import { csvDir, PRODUCTS, productsStream } from "./products_stream.ts";
import { REFERENCE_PRODUCT_CSV_HEADER } from "../testing/reference_csv.ts";
import { until } from "../testing/until.ts";

const encoder = new TextEncoder();
const T0 = Date.UTC(2025, 1, 16, 7, 0, 0);
const WINDOW = 10_000;

function zoneless(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** The fields of a product record that tests vary. */
interface ProductFields {
  /** The product's id; its name and description follow from it. */
  id: number;
  /** Price as sent: a number, a decimal string or garbage. */
  price: unknown;
  /** Tax rate as sent. */
  kdv: unknown;
  /** Event time, ms since the epoch, sent as a zoneless timestamp. */
  at: number;
}

/** A product record; `extra` replaces or adds fields. */
function product({ id, price, kdv, at }: ProductFields, extra = {}) {
  return {
    id,
    product: id % 2 ? "Televizyon" : 'Kitap, "ciltli"',
    description: id % 3 ? "ikinci el LG OLED TV" : "satır\nsonu",
    price,
    kdv,
    timestamp_column: zoneless(at),
    ...extra,
  };
}

/** Windows W0 and W1 close, W2 stays open; one record is late, four are invalid. */
function scenario(): OutgoingRecord[] {
  const values: unknown[] = [
    product({ id: 7, price: 18000, kdv: 0.18, at: T0 + 1000 }), // 21240.00
    product({ id: 8, price: 19.99, kdv: 0.08, at: T0 + 4000 }), // 21.59
    product({ id: 9, price: "10.25", kdv: "0.18", at: T0 + 12_000 }), // W1, 12.10
    product({ id: 10, price: 100, kdv: 0.2, at: T0 + 9000 }), // out of order, within 4 s out-of-orderness → W0
    product({ id: 11, price: "abc", kdv: 0.18, at: T0 + 13_000 }), // invalid price
    product({ id: 12, price: 5, kdv: 0.01, at: T0 + 15_500 }), // W1; watermark 11.5 s closes W0
    product({ id: 13, price: 1, kdv: 0.5, at: T0 + 9_500 }), // late: W0 has fired, no allowed lateness
    "{not json",
    product({ id: 14, price: 1, kdv: 0.18, at: T0 + 16_000 }, { timestamp_column: "16/02/2025" }), // bad time
    product({ id: 15, price: 3.33, kdv: 0.18, at: T0 + 23_000 }), // W2; watermark 19 s
    product({ id: 16, price: 2, kdv: 0.18, at: T0 + 24_000 }, { product: "" }), // invalid product
    product({ id: 17, price: 0.01, kdv: 0.18, at: T0 + 25_000 }), // W2 stays open; watermark 21 s closes W1
  ];
  return values.map((v) => ({
    key: null,
    value: encoder.encode(typeof v === "string" ? v : JSON.stringify(v)),
  }));
}

const EXPECTED: Record<string, string[][]> = {
  "products_2025-02-16T07-00-00_2025-02-16T07-00-10.csv": [
    ["7", "Televizyon", "ikinci el LG OLED TV", "18000", "0.18", "21240.00", "2025-02-16 07:00:10"],
    [
      "8",
      'Kitap, "ciltli"',
      "ikinci el LG OLED TV",
      "19.99",
      "0.08",
      "21.59",
      "2025-02-16 07:00:10",
    ],
    [
      "10",
      'Kitap, "ciltli"',
      "ikinci el LG OLED TV",
      "100",
      "0.2",
      "120.00",
      "2025-02-16 07:00:10",
    ],
  ],
  "products_2025-02-16T07-00-10_2025-02-16T07-00-20.csv": [
    ["9", "Televizyon", "satır\nsonu", "10.25", "0.18", "12.10", "2025-02-16 07:00:20"],
    ["12", 'Kitap, "ciltli"', "satır\nsonu", "5", "0.01", "5.05", "2025-02-16 07:00:20"],
  ],
};

async function setup() {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-products-" });
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    streams: {
      products: { windowMs: WINDOW },
      outOfOrdernessMs: { products: 4000 },
      allowedLatenessMs: { products: 0 },
    },
  });
  const broker = new EmbeddedLog({ path: `${dataDir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(config));
  const raw = new SqliteRawStore(`${dataDir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dataDir}/store.db`);
  await broker.produce(PRODUCTS.topic, scenario());
  return { config, broker, raw, aggregates, dataDir };
}

/** The products processor and a reader of its dead letters, until `stop()`. */
function runProducts(
  env: { config: Config; broker: Broker; raw: SqliteRawStore; aggregates: SqliteAggregateStore },
  maxBatch: number,
) {
  const dead: BrokerRecord[] = [];
  const tail = new AbortController();
  const tailing = env.broker.tail({
    topics: [PRODUCTS.dlqTopic],
    signal: tail.signal,
    handle: (batch) => void dead.push(...batch.records),
  });
  const controller = new AbortController();
  const running = new StreamProcessor(productsStream(env.config, env.raw), {
    broker: env.broker,
    raw: env.raw,
    aggregates: env.aggregates,
    log: silentLogger,
  }).run(PRODUCTS.group, controller.signal, maxBatch);
  return {
    dead,
    stop: async () => {
      controller.abort();
      tail.abort();
      await Promise.all([running, tailing]);
    },
  };
}

async function csvFiles(dataDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  try {
    for await (const entry of Deno.readDir(csvDir(dataDir))) {
      if (entry.name.startsWith(".")) continue; // a file being written
      out[entry.name] = await Deno.readTextFile(`${csvDir(dataDir)}/${entry.name}`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

function assertFilesExact(files: Record<string, string>) {
  assert.deepEqual(Object.keys(files).sort(), Object.keys(EXPECTED).sort());
  assertFilesWhole(files);
}

/** Every file is one of the expected files, whole and exact. */
function assertFilesWhole(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    assert.ok(text.includes("\r\n"), "RFC 4180 line ends");
    const rows = parse(text) as string[][];
    assert.deepEqual(rows[0], REFERENCE_PRODUCT_CSV_HEADER);
    assert.deepEqual(rows.slice(1), EXPECTED[name], name);
  }
}

Deno.test("closed windows become exact CSV files; late and invalid records are dead-lettered and counted", async () => {
  const { config, broker, raw, aggregates, dataDir } = await setup();
  const { dead, stop } = runProducts({ config, broker, raw, aggregates }, 4);
  await until(async () =>
    Object.keys(await csvFiles(dataDir)).length === 2 && dead.length === 5 &&
    (await productsSnapshot(raw, aggregates)).open.length === 1
  );
  await stop();

  assertFilesExact(await csvFiles(dataDir));
  const reasons = dead.map((r) => [r.headers["source.offset"], r.headers.reason]);
  assert.deepEqual(reasons.map(([offset]) => offset), ["4", "6", "7", "8", "10"]);
  assert.match(reasons[0][1], /`price` must be a decimal number .*, got "abc"/);
  assert.equal(reasons[1][1], "late");
  assert.equal(dead[1].headers["event.time"], "2025-02-16 07:00:09");
  assert.equal(dead[1].headers.watermark, "2025-02-16 07:00:11");
  assert.match(reasons[2][1], /not JSON/);
  assert.match(reasons[3][1], /`timestamp_column` must be a timestamp/);
  assert.match(reasons[4][1], /`product` must be a non-empty string/);

  const snapshot = await productsSnapshot(raw, aggregates);
  assert.deepEqual(snapshot.rejected, { invalid: 4, late: 1, processingError: 0, duplicate: 0 });
  assert.deepEqual(snapshot.open, [{
    start: "2025-02-16 07:00:20",
    end: "2025-02-16 07:00:30",
    records: 2,
    sumPrice: "3.34",
    sumTotal: "3.94",
  }]);
  assert.deepEqual(snapshot.closed.map((w) => [w.start, w.records, w.sumPrice, w.sumTotal]), [
    ["2025-02-16 07:00:10", 2, "15.25", "17.15"],
    ["2025-02-16 07:00:00", 3, "18119.99", "21381.59"],
  ]);
  assert.equal(snapshot.watermark, "2025-02-16 07:00:21");
  await Promise.all([broker.close(), raw.close(), aggregates.close()]);
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("killed at any write and restarted, each window's file is always whole and ends exact", async () => {
  const { config, broker, raw, aggregates, dataDir } = await setup();
  const random = seededRandom(5);
  // A window fired again after a crash rewrites its file: never half of it, never other rows.
  const remember = async () => assertFilesWhole(await csvFiles(dataDir));
  for (let crashes = 0; crashes < 30; crashes++) {
    const crash = new Crashing(random.int(1, 8));
    // Once everything is processed no write comes to crash on: stop after a while instead.
    const timer = setTimeout(() => crash.controller.abort(), 500);
    await new StreamProcessor(productsStream(config, raw), {
      broker: crash.broker(broker),
      raw: crash.raw(raw),
      aggregates: crash.aggregates(aggregates),
      log: silentLogger,
    }).run(PRODUCTS.group, crash.controller.signal, 3).catch(() => {});
    clearTimeout(timer);
    await remember();
  }
  const controller = new AbortController();
  const running = new StreamProcessor(productsStream(config, raw), {
    broker,
    raw,
    aggregates,
    log: silentLogger,
  }).run(PRODUCTS.group, controller.signal, 3);
  await until(async () => (await productsSnapshot(raw, aggregates)).open.length === 1);
  await delay(50);
  controller.abort();
  await running;
  await remember();
  assertFilesExact(await csvFiles(dataDir));
  const snapshot = await productsSnapshot(raw, aggregates);
  assert.deepEqual(snapshot.rejected, { invalid: 4, late: 1, processingError: 0, duplicate: 0 });
  assert.deepEqual(snapshot.open.map((w) => [w.records, w.sumTotal]), [[2, "3.94"]]);
  await Promise.all([broker.close(), raw.close(), aggregates.close()]);
  await Deno.remove(dataDir, { recursive: true });
});

/**
 * Partition 1 gets one record in W0 and then nothing; partition 0 moves on.
 * With `revoke`, the group hands partition 1 to another member after its batch.
 */
async function quietPartition(revoke: boolean): Promise<Record<string, string>> {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-products-idle-" });
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    processor: { idleTimeoutMs: 300 },
    streams: {
      products: { windowMs: WINDOW },
      outOfOrdernessMs: { products: 0 },
      allowedLatenessMs: { products: 0 },
    },
  });
  const log = new EmbeddedLog({ path: `${dataDir}/log.db`, pollMs: 5 });
  await log.createTopics([{ name: PRODUCTS.topic, partitions: 2 }]);
  await log.createTopics(STREAMS.topicSpecs(config));
  const broker: Broker = !revoke ? log : override(log, {
    consume: (options: GroupConsumeOptions) =>
      log.consume({
        ...options,
        handle: async (batch) => {
          await options.handle(batch);
          if (batch.partition === 1) options.onAssignment?.({ [PRODUCTS.topic]: [0] });
        },
      }),
  });
  const raw = new SqliteRawStore(`${dataDir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dataDir}/store.db`);
  const keyFor = (partition: number) =>
    Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => partitionFor(k, 2) === partition)!;
  const send = (partition: number, id: number, at: number) =>
    log.produce(PRODUCTS.topic, [{
      key: keyFor(partition),
      value: encoder.encode(JSON.stringify(product({ id, price: 1, kdv: 0.18, at }))),
    }]);
  const controller = new AbortController();
  const running = new StreamProcessor(productsStream(config, raw), {
    broker,
    raw,
    aggregates,
    log: silentLogger,
  }).run(PRODUCTS.group, controller.signal, 10);
  await send(1, 1, T0 + 1000);
  await send(0, 2, T0 + 2000);
  await send(0, 3, T0 + 35_000); // partition 0 moves on: its W0 closes at once
  await until(async () => Object.keys(await csvFiles(dataDir)).length === 1);
  // 300 ms after its last record partition 1 is idle and follows partition 0's watermark.
  if (revoke) await delay(1500);
  else await until(async () => Object.keys(await csvFiles(dataDir)).length === 2, 5000);
  controller.abort();
  await running;
  const files = await csvFiles(dataDir);
  await Promise.all([log.close(), raw.close(), aggregates.close()]);
  await Deno.remove(dataDir, { recursive: true });
  return files;
}

Deno.test("a partition that goes quiet has its open window closed once the idle timeout passes", async () => {
  const files = await quietPartition(false);
  assert.deepEqual(Object.keys(files).sort(), [
    "products_2025-02-16T07-00-00_2025-02-16T07-00-10.csv",
    "products_2025-02-16T07-00-00_2025-02-16T07-00-10_p1.csv",
  ]);
  assert.deepEqual(
    (parse(files["products_2025-02-16T07-00-00_2025-02-16T07-00-10_p1.csv"]) as string[][])
      .slice(1).map((r) => r[0]),
    ["1"],
  );
});

Deno.test("a partition handed to another member is let go: its windows are not closed here", async () => {
  const files = await quietPartition(true);
  assert.deepEqual(Object.keys(files), ["products_2025-02-16T07-00-00_2025-02-16T07-00-10.csv"]);
});

/** With the default settings: 2 min windows, 5 s out-of-orderness, 60 s allowed lateness. */
Deno.test("a record older than the newest counts in its open window; one within allowed lateness rewrites its fired window", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-products-late-" });
  const config: Config = withConfig(DEFAULTS, { stores: { dataDir } });
  const broker = new EmbeddedLog({ path: `${dataDir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(config));
  const raw = new SqliteRawStore(`${dataDir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dataDir}/store.db`);
  const send = (...values: unknown[]) =>
    broker.produce(
      PRODUCTS.topic,
      values.map((v) => ({ key: null, value: encoder.encode(JSON.stringify(v)) })),
    );
  const { dead, stop } = runProducts({ config, broker, raw, aggregates }, 2);
  const file = "products_2025-02-16T07-00-00_2025-02-16T07-02-00.csv";
  const ids = async () => {
    const text = (await csvFiles(dataDir))[file];
    return text === undefined ? [] : (parse(text) as string[][]).slice(1).map((r) => r[0]);
  };
  const firstWindow = async () =>
    (await productsSnapshot(raw, aggregates)).closed
      .filter((w) => w.start === "2025-02-16 07:00:00")
      .map((w) => [w.records, w.sumPrice, w.sumTotal]);

  await send(
    product({ id: 1, price: 100, kdv: 0.18, at: T0 + 1_000 }), // 118.00
    product({ id: 2, price: 10, kdv: 0.08, at: T0 + 30_000 }), // 10.80
    product({ id: 3, price: 200, kdv: 0.01, at: T0 + 20_000 }), // 10 s older than the newest: its window is open
    product({ id: 4, price: 1, kdv: 0.18, at: T0 + 130_000 }), // watermark 07:02:05: the first window fires
  );
  await until(async () => (await ids()).length > 0);
  assert.deepEqual(await ids(), ["1", "2", "3"]);
  assert.deepEqual(await firstWindow(), [[3, "310.00", "330.80"]]);

  // Fired, but within its 60 s of allowed lateness: counted, and the window fires again.
  await send(product({ id: 5, price: 50, kdv: 0.2, at: T0 + 100_000 })); // 60.00
  await until(async () => (await ids()).length === 4);
  assert.deepEqual(await ids(), ["1", "2", "3", "5"], "the file is rewritten with the new row");
  await until(async () => (await firstWindow())[0]?.[0] === 4);
  assert.deepEqual(
    await firstWindow(),
    [[4, "360.00", "390.80"]],
    "the summary holds the new sums",
  );

  // Watermark 07:04:05 is past the first window's cleanup (07:02:59.999): late from now on.
  await send(
    product({ id: 6, price: 7, kdv: 0.18, at: T0 + 250_000 }),
    product({ id: 7, price: 9, kdv: 0.18, at: T0 + 110_000 }),
  );
  await until(() => Promise.resolve(dead.length === 1));
  await stop();
  assert.equal(dead[0].headers.reason, "late");
  assert.equal(dead[0].headers["event.time"], "2025-02-16 07:01:50");
  assert.equal(dead[0].headers.watermark, "2025-02-16 07:04:05");
  assert.deepEqual(await ids(), ["1", "2", "3", "5"], "a late record changes nothing");
  assert.deepEqual(await firstWindow(), [[4, "360.00", "390.80"]]);
  await Promise.all([broker.close(), raw.close(), aggregates.close()]);
  await Deno.remove(dataDir, { recursive: true });
});
