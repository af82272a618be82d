/**
 * The sales, clickstream and products streams on the real servers: a
 * StreamBoard process in services mode (Kafka, MongoDB-wire, Cassandra)
 * processes known records, and the dashboards' reads, the Parquet archive
 * and the VAT window files must hold exactly what was produced.
 */

import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { loadConfig } from "../config.ts";
import { startApp } from "./app_process.ts";
import { openPipeline } from "../pipeline/wiring.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { seededRandom } from "../pipeline/random.ts";
import { delay } from "../pipeline/async.ts";
import { salesGenerator } from "../pipeline/sales/sales.ts";
import { SALES } from "../pipeline/sales/sales_stream.ts";
import { GENERATE } from "../pipeline/clickstream/generator.ts";
import { CLICKSTREAM_TOPICS } from "../pipeline/clickstream/events.ts";
import { archiveDir } from "../pipeline/clickstream/parquet_archive.ts";
import { csvDir, PRODUCTS } from "../pipeline/products/products_stream.ts";
import { readParquetFile } from "../pipeline/testing/parquet_reader.ts";
import { salesSnapshot } from "../server/sales_data.ts";
import { clicksSnapshot } from "../server/clicks_data.ts";
import { productsSnapshot } from "../server/products_data.ts";
import { isolatedServicesEnv, withAllServices } from "../pipeline/testing/services.ts";
import { dropIsolatedRun } from "../pipeline/isolated_run.ts";
import { REFERENCE_PRODUCT_CSV_HEADER } from "../pipeline/testing/reference_csv.ts";

const encoder = new TextEncoder();
const SALE_COUNT = 1500;
const CLICK_COUNT = 1000;
const T0 = Date.UTC(2025, 1, 16, 7, 0, 0);

function zoneless(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** `price × (1 + kdv)` to the cent, half away from zero, in integer arithmetic. */
function expectedTotal(price: number, kdv: number): string {
  const p = BigInt(Math.round(price * 100)); // prices have at most 2 decimals here
  const k = BigInt(Math.round(kdv * 100)); // so do the rates
  const hundredths = p * (100n + k); // scale 10^4
  const cents = (hundredths + 50n) / 100n;
  return `${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`;
}

async function until(what: string, done: () => Promise<boolean>, output: () => string) {
  const deadline = Date.now() + 90_000;
  while (!(await done())) {
    assert.ok(Date.now() < deadline, `${what} in time\n${output()}`);
    await delay(250);
  }
}

await withAllServices(() => {
  Deno.test({
    name: "services e2e: sales, clickstream and products end exact in the stores and files",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const env = {
        ...isolatedServicesEnv("e2e"),
        STREAMBOARD_STREAMS: "sales,clicks,views,ratings,products",
        STREAMBOARD_PRODUCTS_WINDOW_MS: "2000",
        STREAMBOARD_PRODUCTS_OUT_OF_ORDER_MS: "0",
        STREAMBOARD_PRODUCTS_LATENESS_MS: "0",
        STREAMBOARD_ARCHIVE_INTERVAL_MS: "1000",
      };
      const config = loadConfig({ ...Deno.env.toObject(), ...env });
      const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
      const app = await startApp(env);
      try {
        // Sales: a year of generated sales plus invalid ones.
        const makeSale = salesGenerator(365);
        const random = seededRandom(77);
        const sales = Array.from(
          { length: SALE_COUNT },
          () => makeSale(random, Date.now()),
        );
        const expectedCents = sales.reduce((n, s) => n + Math.round(s.total * 100), 0);
        const invalidSales = ["{", '{"id":"x"}', JSON.stringify({ ...sales[0], total: 1 })];
        await pipeline.broker.produce(SALES.topic, [
          ...sales.map((s) => ({ key: s.id, value: encoder.encode(JSON.stringify(s)) })),
          ...invalidSales.map((v) => ({ key: null, value: encoder.encode(v) })),
        ]);

        // Clickstream: the same number of each, now, plus one invalid record each.
        const now = Date.now();
        for (const topic of CLICKSTREAM_TOPICS) {
          const rnd = seededRandom(topic.length);
          const records = Array.from(
            { length: CLICK_COUNT },
            (_, i) => GENERATE[topic](rnd, now + i),
          );
          await pipeline.broker.produce(topic, [
            ...records.map((r) => ({
              key: String(r.user_id),
              value: encoder.encode(JSON.stringify(r)),
            })),
            { key: null, value: encoder.encode('{"event_type":"nope"}') },
          ]);
        }

        // Products: three 2 s windows of 100, one record that closes them, one late.
        const products = Array.from({ length: 300 }, (_, i) => ({
          id: i,
          product: i % 2 ? "Televizyon" : "Kitap",
          description: i % 3 ? "ikinci el" : 'LG, "OLED"',
          price: [18000, 19.99, 10.25][i % 3],
          kdv: [0.18, 0.08, 0.18][i % 3],
          timestamp_column: zoneless(T0 + i * 20),
        }));
        const closer = { ...products[0], id: 999, timestamp_column: zoneless(T0 + 10_000) };
        const late = { ...products[0], id: 998, timestamp_column: zoneless(T0 + 1_000) };
        await pipeline.broker.produce(
          PRODUCTS.topic,
          [...products, closer, late].map((p) => ({
            key: String(p.id),
            value: encoder.encode(JSON.stringify(p)),
          })),
        );

        // Cassandra writes a batch's cells side by side: each figure is waited for, then checked exact.
        await until("sales processed", async () => {
          const s = await salesSnapshot(pipeline.aggregates);
          return s.kpi.transactions >= SALE_COUNT && s.rejected.invalid >= 3 &&
            s.byMonth.reduce((n, m) => n + m.transactions, 0) >= SALE_COUNT &&
            (await pipeline.raw.count(SALES.collection)) >= SALE_COUNT;
        }, app.output);
        const s = await salesSnapshot(pipeline.aggregates);
        assert.equal(s.kpi.transactions, SALE_COUNT);
        assert.equal(Math.round(s.kpi.revenue * 100), expectedCents);
        assert.deepEqual(s.rejected, { invalid: 3, late: 0, processingError: 0, duplicate: 0 });
        assert.equal(
          s.byMonth.reduce((n, m) => n + m.transactions, 0),
          SALE_COUNT,
          "every sale in its month",
        );
        assert.ok(s.byMonth.length >= 2, "sales spread over months");
        assert.equal(await pipeline.raw.count(SALES.collection), SALE_COUNT);

        await until("clickstream processed", async () => {
          const c = await clicksSnapshot(pipeline.raw, pipeline.aggregates, Date.now());
          return CLICKSTREAM_TOPICS.every((t) =>
            c.totals[t] >= CLICK_COUNT && c.rejected[t].invalid >= 1
          ) && c.devices.mobile + c.devices.desktop + c.devices.tablet >= CLICK_COUNT;
        }, app.output);
        const c = await clicksSnapshot(pipeline.raw, pipeline.aggregates, Date.now());
        assert.deepEqual(c.totals, { clicks: 1000, views: 1000, ratings: 1000 });
        assert.equal(c.devices.mobile + c.devices.desktop + c.devices.tablet, 1000);

        for (const topic of CLICKSTREAM_TOPICS) {
          const dir = archiveDir(app.dataDir, topic);
          let rows: Record<string, unknown>[] = [];
          await until(`${topic} archived to Parquet`, () => {
            rows = [];
            let names: string[] = [];
            try {
              names = [...Deno.readDirSync(dir)].map((e) => e.name);
            } catch (error) {
              if (!(error instanceof Deno.errors.NotFound)) throw error;
            }
            for (const name of names.filter((n) => n.endsWith(".parquet"))) {
              rows.push(...readParquetFile(`${dir}/${name}`).rows);
            }
            return Promise.resolve(rows.length >= CLICK_COUNT);
          }, app.output);
          assert.equal(rows.length, CLICK_COUNT, `${topic}: every valid record once`);
          const positions = new Set(
            rows.map((r) => `${r.source_partition}/${r.source_offset}`),
          );
          assert.equal(positions.size, CLICK_COUNT);
        }

        await until("products windows closed", async () => {
          const p = await productsSnapshot(pipeline.raw, pipeline.aggregates);
          return p.closed.length >= 3 && p.rejected.late >= 1;
        }, app.output);
        const p = await productsSnapshot(pipeline.raw, pipeline.aggregates);
        assert.deepEqual(p.rejected, { invalid: 0, late: 1, processingError: 0, duplicate: 0 });
        assert.deepEqual(p.closed.map((w) => w.records), [100, 100, 100]);
        const files = [...Deno.readDirSync(csvDir(app.dataDir))].map((e) => e.name).sort();
        assert.deepEqual(files, p.closed.map((w) => w.file).sort());
        let ids: string[] = [];
        for (const file of files) {
          const rows = parse(
            await Deno.readTextFile(`${csvDir(app.dataDir)}/${file}`),
          ) as string[][];
          assert.deepEqual(rows[0], REFERENCE_PRODUCT_CSV_HEADER);
          for (const [id, , description, price, kdv, total] of rows.slice(1)) {
            const source = products[Number(id)];
            assert.equal(description, source.description);
            assert.equal(total, expectedTotal(Number(price), Number(kdv)));
            assert.equal(total, expectedTotal(source.price, source.kdv));
          }
          ids = ids.concat(rows.slice(1).map((r) => r[0]));
        }
        assert.deepEqual(ids, products.map((x) => String(x.id)), "every record, in order");
      } finally {
        await app.stop("SIGTERM");
        await pipeline.close();
        await dropIsolatedRun(config);
      }
    },
  });
});
