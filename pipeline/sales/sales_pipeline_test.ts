import assert from "node:assert/strict";
import { type Config, DEFAULTS, withConfig } from "../../config.ts";
import type { BrokerRecord, OutgoingRecord } from "../ports.ts";
import { EmbeddedLog } from "../embedded/log_broker.ts";
import { SqliteRawStore } from "../embedded/raw_store.ts";
import { SqliteAggregateStore } from "../embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "../embedded/event_id_store.ts";
import { StreamProcessor } from "../processor.ts";
import { STREAMS } from "../stream_registry.ts";
import { silentLogger } from "../logger.ts";
import { delay } from "../async.ts";
import { seededRandom } from "../random.ts";
import { partitionFor } from "../partitioner.ts";
import { Crashing } from "../testing/crashing.ts";
import { salesSnapshot } from "../../server/sales_data.ts";
import type { SalesSnapshot } from "../../server/dashboards.ts";
import { saleKey } from "./sales.ts";
import { SALES, salesStream } from "./sales_stream.ts";
import { until } from "../testing/until.ts";

const encoder = new TextEncoder();
const PARTITIONS = 4;

/** An id that the sales topic's partitioner puts on `partition`. */
function idOn(partition: number, label: string): string {
  for (let n = 0;; n++) {
    const id = `${label}-${n}`;
    if (partitionFor(id, PARTITIONS) === partition) return id;
  }
}

const NEW_YORK = {
  city: "New York",
  country: "United States",
  latitude: 40.7128,
  longitude: -74.006,
};
const LONDON = { city: "London", country: "United Kingdom", latitude: 51.5074, longitude: -0.1278 };
const TOKYO = { city: "Tokyo", country: "Japan", latitude: 35.6762, longitude: 139.6503 };
const SAO_PAULO = { city: "São Paulo", country: "Brazil", latitude: -23.5505, longitude: -46.6333 };

/** The fields of a sale record that tests vary. */
interface SaleFields {
  /** The sale's id. */
  id: string;
  /** Event time as sent, in any of the accepted formats. */
  timestamp: string;
  /** Product name and category. */
  product: [string, string];
  /** City, country and coordinates. */
  place: typeof NEW_YORK;
  /** Units sold. */
  quantity: number;
  /** Price of one unit as sent. */
  unit_price: number | string;
  /** Total as sent; it must equal quantity times unit price. */
  total: number | string;
  /** How it was paid; `cash` by default. */
  payment_method?: string;
}

/** A sale record with the given fields. */
function sale(
  { id, timestamp, product, place, quantity, unit_price, total, payment_method = "cash" }:
    SaleFields,
) {
  const [name, category] = product;
  return {
    id,
    product: name,
    category,
    quantity,
    unit_price,
    total,
    payment_method,
    ...place,
    timestamp,
  };
}

const LAPTOP: [string, string] = ["Laptop", "Electronics"];
const NOVEL: [string, string] = ["Novel", "Books"];
const T_SHIRT: [string, string] = ["T-Shirt", "Clothing"];
const HEADPHONES: [string, string] = ["Headphones", "Electronics"];

/**
 * Eight counted sales over three months, four cities and four products;
 * four invalid records; two sales older than their partition's watermark,
 * counted: sales are all-time totals (the global window never fires), so no
 * sale is late. Each partition's sales come in event-time order except those two.
 */
function scenario(): OutgoingRecord[] {
  const values: unknown[] = [
    // p0: 1199.00, January
    sale({
      id: idOn(0, "a"),
      timestamp: "2025-01-15T10:00:00Z",
      product: LAPTOP,
      place: NEW_YORK,
      quantity: 1,
      unit_price: 1199,
      total: 1199,
    }),
    // p1: 3 × 14.99 = 44.97, zone-less UTC, January
    sale({
      id: idOn(1, "b"),
      timestamp: "2025-01-20 18:30:00",
      product: NOVEL,
      place: LONDON,
      quantity: 3,
      unit_price: 14.99,
      total: 44.97,
      payment_method: "mobile",
    }),
    // p2: 2 × 1079.10 = 2158.20, February 3 08:15 UTC
    sale({
      id: idOn(2, "c"),
      timestamp: "2025-02-03T09:15:00+01:00",
      product: LAPTOP,
      place: TOKYO,
      quantity: 2,
      unit_price: 1079.1,
      total: 2158.2,
      payment_method: "credit_card",
    }),
    // p3: 5 × 19.99 = 99.95; March in Paris time, still February in UTC
    sale({
      id: idOn(3, "d"),
      timestamp: "2025-03-01T00:59:59+01:00",
      product: T_SHIRT,
      place: NEW_YORK,
      quantity: 5,
      unit_price: 19.99,
      total: 99.95,
      payment_method: "debit_card",
    }),
    "{oops",
    // p0: 14.99 as text, March 1 00:00 UTC: p0's watermark becomes Feb 28 23:59:55
    sale({
      id: idOn(0, "e"),
      timestamp: "2025-03-01T00:00:00Z",
      product: NOVEL,
      place: TOKYO,
      quantity: 1,
      unit_price: "14.99",
      total: "14.99",
    }),
    sale({
      id: idOn(1, "bad-total"),
      timestamp: "2025-03-02T00:00:00Z",
      product: NOVEL,
      place: TOKYO,
      quantity: 2,
      unit_price: 10,
      total: 21,
    }),
    // p1: 2 × 149.99 = 299.98, March
    sale({
      id: idOn(1, "f"),
      timestamp: "2025-03-10T12:00:00Z",
      product: HEADPHONES,
      place: SAO_PAULO,
      quantity: 2,
      unit_price: 149.99,
      total: 299.98,
      payment_method: "mobile",
    }),
    // p0: older than the watermark: counted (19.99, February)
    sale({
      id: idOn(0, "g"),
      timestamp: "2025-02-28T23:59:30.000Z",
      product: T_SHIRT,
      place: LONDON,
      quantity: 1,
      unit_price: 19.99,
      total: 19.99,
    }),
    // p0: over a minute older than the newest: counted too (1199.00, February)
    sale({
      id: idOn(0, "old"),
      timestamp: "2025-02-28T23:58:59.999Z",
      product: LAPTOP,
      place: TOKYO,
      quantity: 1,
      unit_price: 1199,
      total: 1199,
    }),
    sale({
      id: idOn(2, "bad-pay"),
      timestamp: "2025-03-03T00:00:00Z",
      product: NOVEL,
      place: TOKYO,
      quantity: 1,
      unit_price: 14.99,
      total: 14.99,
      payment_method: "bitcoin",
    }),
    {
      ...sale({
        id: idOn(3, "bad-lat"),
        timestamp: "2025-03-04T00:00:00Z",
        product: NOVEL,
        place: TOKYO,
        quantity: 1,
        unit_price: 14.99,
        total: 14.99,
      }),
      latitude: 91,
    },
  ];
  return values.map((v) => ({
    key: typeof v === "string" ? "bad-json" : saleKey(v),
    value: encoder.encode(typeof v === "string" ? v : JSON.stringify(v)),
  }));
}

const PRODUCED = 12;

/** Worked out by hand from the scenario, in cents, then written as currency units. */
const EXPECTED: SalesSnapshot = {
  // 119900 + 4497 + 215820 + 9995 + 1499 + 29998 + 1999 + 119900 = 503608 cents over 8 sales
  kpi: {
    revenue: 5036.08,
    revenueText: "5036.08",
    transactions: 8,
    averageTicket: 629.51,
    averageTicketText: "629.51",
  },
  byProduct: [
    {
      product: "Laptop",
      category: "Electronics",
      revenue: 4556.2,
      revenueText: "4556.20",
      transactions: 3,
    },
    {
      product: "Headphones",
      category: "Electronics",
      revenue: 299.98,
      revenueText: "299.98",
      transactions: 1,
    },
    {
      product: "T-Shirt",
      category: "Clothing",
      revenue: 119.94,
      revenueText: "119.94",
      transactions: 2,
    },
    { product: "Novel", category: "Books", revenue: 59.96, revenueText: "59.96", transactions: 2 },
  ],
  byCity: [
    {
      city: "Tokyo",
      country: "Japan",
      lat: 35.6762,
      lon: 139.6503,
      revenue: 3372.19,
      revenueText: "3372.19",
      transactions: 3,
    },
    {
      city: "New York",
      country: "United States",
      lat: 40.7128,
      lon: -74.006,
      revenue: 1298.95,
      revenueText: "1298.95",
      transactions: 2,
    },
    {
      city: "São Paulo",
      country: "Brazil",
      lat: -23.5505,
      lon: -46.6333,
      revenue: 299.98,
      revenueText: "299.98",
      transactions: 1,
    },
    {
      city: "London",
      country: "United Kingdom",
      lat: 51.5074,
      lon: -0.1278,
      revenue: 64.96,
      revenueText: "64.96",
      transactions: 2,
    },
  ],
  byMonth: [
    { month: "2025-01", revenue: 1243.97, revenueText: "1243.97", transactions: 2 },
    { month: "2025-02", revenue: 3477.14, revenueText: "3477.14", transactions: 4 },
    { month: "2025-03", revenue: 314.97, revenueText: "314.97", transactions: 2 },
  ],
  rejected: { invalid: 4, late: 0, processingError: 0, duplicate: 0 },
};

async function setup(records: OutgoingRecord[]) {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-sales-" });
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    broker: { partitions: PARTITIONS },
  });
  const broker = new EmbeddedLog({ path: `${dataDir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(config));
  const raw = new SqliteRawStore(`${dataDir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dataDir}/store.db`);
  const eventIds = new SqliteEventIdStore(`${dataDir}/store.db`);
  await broker.produce(SALES.topic, records);
  const close = async () => {
    await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
    await Deno.remove(dataDir, { recursive: true });
  };
  return { config, broker, raw, aggregates, eventIds, close };
}

/** True once the snapshot accounts for `produced` records (counted or rejected). */
async function accountedFor(snapshot: Promise<SalesSnapshot>, produced: number) {
  const { kpi, rejected } = await snapshot;
  return kpi.transactions + rejected.invalid + rejected.late >= produced;
}

Deno.test("the sales page shows exact revenue per product, city and month, and what was rejected", async () => {
  const { config, broker, raw, aggregates, eventIds, close } = await setup(scenario());
  const dead: BrokerRecord[] = [];
  const tail = new AbortController();
  const tailing = broker.tail({
    topics: [SALES.dlqTopic],
    signal: tail.signal,
    handle: (batch) => void dead.push(...batch.records),
  });
  const controller = new AbortController();
  const running = new StreamProcessor(salesStream(config), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
  }).run(SALES.group, controller.signal, 3);
  await until(async () =>
    await accountedFor(salesSnapshot(aggregates), PRODUCED) && dead.length >= 4
  );
  await delay(50); // anything counted twice would land by now
  controller.abort();
  tail.abort();
  await Promise.all([running, tailing]);

  assert.deepEqual(await salesSnapshot(aggregates), EXPECTED);
  assert.equal(await raw.count(SALES.collection), 8, "one document per counted sale");
  const reasons = dead.map((r) => r.headers.reason).sort();
  assert.equal(reasons.length, 4);
  assert.match(reasons.find((r) => r.includes("JSON"))!, /not JSON/);
  assert.ok(reasons.some((r) => /`total` must be quantity × unit_price = 20\.00, got 21/.test(r)));
  assert.ok(reasons.some((r) => /`payment_method` must be .*, got "bitcoin"/.test(r)));
  assert.ok(reasons.some((r) => /`latitude` must be a number from -90 to 90, got 91/.test(r)));
  await close();
});

Deno.test("killed at any write and restarted in the same group, no sale is counted twice", async () => {
  const { config, broker, raw, aggregates, eventIds, close } = await setup(scenario());
  const random = seededRandom(17);
  let crashed = 0;
  for (let run = 0; run < 25; run++) {
    const crash = new Crashing(random.int(1, 10));
    // Once everything is processed no write comes to crash on: stop after a while instead.
    const timer = setTimeout(() => crash.controller.abort(), 300);
    await new StreamProcessor(salesStream(config), {
      broker: crash.broker(broker),
      raw: crash.raw(raw),
      aggregates: crash.aggregates(aggregates),
      eventIds: crash.eventIds(eventIds),
      log: silentLogger,
    }).run(SALES.group, crash.controller.signal, 2).catch(() => {});
    clearTimeout(timer);
    if (crash.remaining <= 0) crashed++;
  }
  assert.ok(crashed >= 5, `the processor was killed mid-batch (${crashed} times)`);
  const controller = new AbortController();
  const running = new StreamProcessor(salesStream(config), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
  }).run(SALES.group, controller.signal, 2);
  await until(() => accountedFor(salesSnapshot(aggregates), PRODUCED));
  await delay(100);
  controller.abort();
  await running;
  assert.deepEqual(await salesSnapshot(aggregates), EXPECTED);
  assert.equal(await raw.count(SALES.collection), 8);
  await close();
});

Deno.test("the average ticket rounds half a cent up, as exact money does", async () => {
  // 29.99 + 34.50 = 64.49 over two sales: 32.245 → 32.25
  const records = [
    sale({
      id: "s-1",
      timestamp: "2025-03-01T10:00:00Z",
      product: ["Cookbook", "Books"],
      place: LONDON,
      quantity: 1,
      unit_price: 29.99,
      total: 29.99,
    }),
    sale({
      id: "s-2",
      timestamp: "2025-03-01T10:00:01Z",
      product: ["Desk Lamp", "Home"],
      place: LONDON,
      quantity: 1,
      unit_price: 34.5,
      total: 34.5,
    }),
  ].map((v): OutgoingRecord => ({
    key: "one-partition",
    value: encoder.encode(JSON.stringify(v)),
  }));
  const { config, broker, raw, aggregates, eventIds, close } = await setup(records);
  const controller = new AbortController();
  const running = new StreamProcessor(salesStream(config), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
  }).run(SALES.group, controller.signal, 10);
  await until(() => accountedFor(salesSnapshot(aggregates), 2));
  controller.abort();
  await running;
  assert.deepEqual((await salesSnapshot(aggregates)).kpi, {
    revenue: 64.49,
    revenueText: "64.49",
    transactions: 2,
    averageTicket: 32.25,
    averageTicketText: "32.25",
  });
  await close();
});
