/**
 * The sales, clickstream and products pages in a real browser (Debian's
 * Chromium through playwright-core) against a real StreamBoard process whose
 * built-in generators feed all six streams. Every page must stay on the
 * app's own origin, run without script or console errors, and update live
 * over SSE without a reload; the products page's window files must hold
 * exactly the window's records with exact VAT totals; bad sales produced
 * into the running app's log must show on the sales page.
 */

import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import type { BrowserContext, Page } from "playwright-core";
import { startApp } from "./app_process.ts";
import {
  blockOtherHosts,
  collectErrors,
  launchChromium,
  LIVE_WAIT_MS,
  saveScreenshot,
  stepsWithAppLog,
  waitForLive,
} from "./browser.ts";
import { validateSale } from "../pipeline/sales/sales.ts";
import { initialsOf } from "../client/avatar.ts";
import { REFERENCE_PRODUCT_CSV_HEADER } from "../pipeline/testing/reference_csv.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const RATE = 50;
/** Rows of the sessions table, by their `sessions-<device>` test id. */
const SESSION_ROWS = ["mobile", "desktop", "tablet", "none"];
/** Session gap of the run, ms. */
const SESSION_GAP_MS = 3000;
const WINDOW_MS = 2000;

/** A sale that passes validation; each bad line below breaks it in one way. */
const GOOD_SALE = {
  id: "e2e-good",
  product: "Laptop",
  category: "Electronics",
  quantity: 2,
  unit_price: 10.5,
  total: 21,
  payment_method: "cash",
  city: "Paris",
  country: "France",
  latitude: 48.8566,
  longitude: 2.3522,
  timestamp: new Date().toISOString(),
};
const BAD_SALES = [
  "this line is not JSON",
  JSON.stringify({ ...GOOD_SALE, id: "e2e-bad-total", total: 99 }),
  JSON.stringify({ ...GOOD_SALE, id: "e2e-bad-quantity", quantity: 0 }),
  JSON.stringify({ ...GOOD_SALE, id: "e2e-bad-payment", payment_method: "barter" }),
  JSON.stringify({ ...GOOD_SALE, id: "e2e-bad-latitude", latitude: 123 }),
  JSON.stringify({ id: "e2e-bad-empty" }),
];

/** What `until` waits for. */
interface Wait<T> {
  /** The awaited condition in words, for the failure message. */
  what: string;
  /** Reads the current value; called every 200 ms. */
  read: () => Promise<T>;
  /** Whether the value read is the one waited for. */
  ok: (value: T) => boolean;
  /** Longest wait, in ms; `LIVE_WAIT_MS` by default. */
  timeoutMs?: number;
}

/** Waits until `ok(read())`, polling; fails naming `what` and the last value read. */
async function until<T>({ what, read, ok, timeoutMs = LIVE_WAIT_MS }: Wait<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  while (true) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) {
      throw new assert.AssertionError({
        message: `${what}: not within ${timeoutMs} ms, last ${JSON.stringify(last)}`,
      });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A figure as the pages format it (`12,345.60`, `1,234`) as a number. */
function figure(text: string | null): number {
  const value = Number((text ?? "").trim().replaceAll(",", ""));
  assert.ok(text !== null && text.trim() !== "" && Number.isFinite(value), `not a figure: ${text}`);
  return value;
}

/** The figure shown under a test id: a KPI's exact one (`data-exact`), shown compact when long. */
const read = (page: Page, id: string) =>
  page.getByTestId(id).first().evaluate((el) => el.getAttribute("data-exact") ?? el.textContent)
    .then(figure);

/** Decimal text (`1,234.5`, `0.18`) as integer units at `scale` decimals; more decimals fail. */
function units(text: string, scale: number): bigint {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.replaceAll(",", "").trim());
  assert.ok(match, `not a plain decimal: "${text}"`);
  const fraction = match[2] ?? "";
  assert.ok(fraction.length <= scale, `"${text}" has more than ${scale} decimals`);
  return BigInt(match[1] + fraction.padEnd(scale, "0"));
}

/** `price × (1 + kdv)` in cents, halves away from zero (prices are never negative here). */
function vatCents(price: string, kdv: string): bigint {
  const p = units(price, 6);
  const k = units(kdv, 6);
  const scaled = p * (1_000_000n + k) * 100n; // cents × 10^12
  const divisor = 10n ** 12n;
  return (scaled * 2n + divisor) / (2n * divisor);
}

/**
 * Counts of a canvas's pixels: drawn at all, of the map's land fill, and
 * blue ones (the map's bubbles and the charts' first colour, `#4f46e5`).
 */
function canvasPixels(page: Page, selector: string) {
  return page.locator(selector).evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    const near = (i: number, [r, g, b]: number[]) =>
      Math.abs(data[i] - r) <= 6 && Math.abs(data[i + 1] - g) <= 6 &&
      Math.abs(data[i + 2] - b) <= 6;
    let drawn = 0, land = 0, blue = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      drawn++;
      if (near(i, [0xee, 0xf0, 0xf6])) land++;
      else if (data[i + 2] > data[i] + 40 && data[i + 2] > data[i + 1] + 40) blue++;
    }
    return { pixels: canvas.width * canvas.height, drawn, land, blue };
  });
}

interface OpenedPage {
  page: Page;
  errors: string[];
}

/** Which page `openPage` opens. */
interface PageToOpen {
  /** The app's base URL. */
  base: string;
  /** The page's path. */
  path: string;
  /** The stream whose live badge the page shows. */
  stream: string;
}

/** Opens `path`, waits for its live badge on `stream` and marks the document to detect reloads. */
async function openPage(
  context: BrowserContext,
  { base, path, stream }: PageToOpen,
): Promise<OpenedPage> {
  const page = await context.newPage();
  const errors = collectErrors(page);
  page.on("response", (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  const res = await page.goto(new URL(path, base).href);
  assert.equal(res?.status(), 200, `GET ${path}: ${await res?.text()}`);
  const badge = page.getByTestId("live-status");
  assert.equal(await badge.getAttribute("data-stream"), stream);
  await waitForLive(page);
  await page.evaluate(() => (document.documentElement.dataset.e2eLoaded = "once"));
  return { page, errors };
}

/** Fails if the page was reloaded or navigated since `openPage`. */
async function assertSameDocument(page: Page): Promise<void> {
  assert.equal(
    await page.evaluate(() => document.documentElement.dataset.e2eLoaded),
    "once",
    "the page updated in place, without a reload",
  );
}

/** Rows of a table's body as cell texts. */
function tableRows(page: Page, testId: string): Promise<string[][]> {
  return page.getByTestId(testId).locator("tbody tr").evaluateAll((rows) =>
    rows.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""))
  );
}

Deno.test({
  name: "browser: the sales, clickstream and products pages show real data live, offline-safe",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "streamboard-pages-e2e-" });
    const badFile = `${dataDir}/bad-sales.jsonl`;
    let producer: Deno.ChildProcess | undefined;
    const app = await startApp({
      STREAMBOARD_RATE: String(RATE),
      STREAMBOARD_SEED: "11",
      STREAMBOARD_PRODUCTS_WINDOW_MS: String(WINDOW_MS),
      STREAMBOARD_PRODUCTS_LATENESS_MS: "0",
      // Sessions end a few seconds after a user's last click or view, so the page shows some soon.
      STREAMBOARD_SESSION_GAP_MS: String(SESSION_GAP_MS),
    }, dataDir).catch(async (error) => {
      await Deno.remove(dataDir, { recursive: true });
      throw error;
    });
    const browser = await launchChromium().catch(async (error) => {
      await app.stop("SIGKILL");
      await Deno.remove(dataDir, { recursive: true });
      throw error;
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const blocked = await blockOtherHosts(context, app.url);
      const opened: OpenedPage[] = [];

      const step = stepsWithAppLog(t, app);
      await step("requests to other hosts are blocked and recorded", async () => {
        const probe = await context.newPage();
        await probe.goto(new URL("/stats", app.url).href);
        // An image, because the pages' CSP already stops a fetch to another host in the browser.
        const outcome = await probe.evaluate(() =>
          new Promise<string>((resolve) => {
            const img = new Image();
            img.onload = () => resolve("reached");
            img.onerror = () => resolve("blocked");
            img.src = "https://example.com/e2e-probe";
          })
        );
        assert.equal(outcome, "blocked");
        assert.deepEqual(blocked, ["https://example.com/e2e-probe"]);
        blocked.length = 0;
        await probe.close();
      });

      await step(
        "/sales: KPIs grow live, the map draws the world, bad sales are counted",
        async () => {
          for (const line of BAD_SALES) {
            assert.throws(() => validateSale(JSON.parse(line)), `${line} must be invalid`);
          }
          assert.doesNotThrow(() => validateSale(GOOD_SALE), "the template itself is valid");

          const sales = await openPage(context, { base: app.url, path: "/sales", stream: "sales" });
          opened.push(sales);
          const { page } = sales;
          const revenue = await until({
            what: "revenue",
            read: () => read(page, "kpi-revenue"),
            ok: (v) => v > 0,
          });
          const transactions = await read(page, "kpi-transactions");
          assert.ok(transactions > 0, "transactions shown with the revenue");
          const invalidBefore = await read(page, "kpi-rejected-invalid");

          await Deno.writeTextFile(badFile, BAD_SALES.join("\n") + "\n");
          producer = new Deno.Command(Deno.execPath(), {
            args: ["task", "produce", "--stream", "sales", "--file", badFile],
            cwd: ROOT,
            env: { STREAMBOARD_DATA_DIR: dataDir, NO_COLOR: "1" },
            stdout: "piped",
            stderr: "piped",
          }).spawn();
          const running = producer;
          const stuck = setTimeout(() => running.kill("SIGTERM"), 60_000);
          const produced = await running.output().finally(() => clearTimeout(stuck));
          producer = undefined;
          const said = new TextDecoder().decode(produced.stdout) +
            new TextDecoder().decode(produced.stderr);
          assert.equal(produced.code, 0, said);
          assert.match(said, new RegExp(`done: ${BAD_SALES.length} record\\(s\\) sent to "sales"`));

          await until({
            what: "revenue grows",
            read: () => read(page, "kpi-revenue"),
            ok: (v) => v > revenue,
          });
          await until({
            what: "transactions grow",
            read: () => read(page, "kpi-transactions"),
            ok: (v) => v > transactions,
          });
          await until({
            what: "invalid sales counted",
            read: () => read(page, "kpi-rejected-invalid"),
            ok: (v) => v >= invalidBefore + BAD_SALES.length,
          });
          assert.ok(await page.getByTestId("kpi-rejected-invalid").isVisible());
          assert.ok(await page.getByTestId("kpi-rejected-late").isVisible());
          assert.ok((await read(page, "kpi-rejected-late")) >= 0);
          await assertSameDocument(page);

          const map = page.locator('[data-testid="sales-map"][data-map="drawn"]');
          await map.locator("canvas").waitFor({ timeout: LIVE_WAIT_MS });
          assert.ok(Number(await map.getAttribute("data-points")) > 0, "cities on the map");
          const pixels = await until({
            what: "map draws countries and bubbles",
            read: () => canvasPixels(page, '[data-testid="sales-map"] canvas'),
            ok: (p) => p.land > p.pixels * 0.08 && p.blue > 50,
          });
          assert.ok(pixels.drawn < pixels.pixels * 0.9, `the oceans stay blank: ${pixels.drawn}`);
          assert.ok((await page.getByTestId("sales-cities").locator("li").count()) > 0);

          await until({
            what: "donut drawn",
            read: () => canvasPixels(page, '[data-testid="sales-donut"] canvas'),
            ok: (p) => p.drawn > p.pixels * 0.05 && p.blue > 0,
          });
          await until({
            what: "monthly line drawn",
            read: () => canvasPixels(page, '[data-testid="sales-monthly"] canvas'),
            ok: (p) => p.drawn > 500 && p.blue > 0,
          });

          // Each view is one read of the whole page, so its figures come from one snapshot;
          // the snapshot's reads are separate queries, so one taken mid-write may be off by a batch.
          const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
          const cents = (n: number) => Math.round(n * 100);
          const view = await until({
            what: "table, donut and months add up to the KPIs",
            read: () =>
              page.evaluate(() => {
                const el = (id: string) => document.querySelector(`[data-testid="${id}"]`)!;
                return {
                  revenue: el("kpi-revenue").getAttribute("data-exact"),
                  transactions: el("kpi-transactions").getAttribute("data-exact"),
                  donut: el("sales-donut").getAttribute("data-values") ?? "",
                  monthly: el("sales-monthly").getAttribute("data-values") ?? "",
                  rows: [...el("sales-table").querySelectorAll("tbody tr")].map((tr) =>
                    [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")
                  ),
                };
              }),
            ok: (v) => {
              const revenue = cents(figure(v.revenue));
              return v.rows.length > 0 &&
                sum(v.rows.map((r) => figure(r[2]))) === figure(v.transactions) &&
                sum(v.rows.map((r) => cents(figure(r[3])))) === revenue &&
                sum(v.monthly.split(",").map((m) => cents(Number(m)))) === revenue;
            },
          });
          for (const [product, category, tx, amount] of view.rows) {
            assert.ok(product !== "" && category !== "", `named row ${product}/${category}`);
            assert.ok(figure(tx) > 0 && figure(amount) > 0, `figures of ${product}`);
          }
          const tableRevenue = view.rows.map((r) => figure(r[3]));
          assert.deepEqual(
            tableRevenue,
            [...tableRevenue].sort((a, b) => b - a),
            "highest revenue first",
          );
          assert.deepEqual(
            view.donut.split(",").map(Number),
            tableRevenue,
            "the donut has a slice per product row",
          );
          const months = view.monthly.split(",").map(Number);
          assert.ok(months.every((m) => m > 0), `months: ${view.monthly}`);

          await saveScreenshot(page, "sales");
        },
      );

      await step("/products: a window closes live and its CSV holds its records", async () => {
        const products = await openPage(context, {
          base: app.url,
          path: "/products",
          stream: "products",
        });
        opened.push(products);
        const { page } = products;
        const links = page.getByTestId("window-csv");
        const atLoad = new Set(await links.evaluateAll((as) => as.map((a) => a.textContent)));
        const row = await until({
          what: "a window closes while the page is open",
          read: () => tableRows(page, "products-closed"),
          ok: (rows) => rows.some((r) => !atLoad.has(r[5])),
        }).then((rows) => rows.find((r) => !atLoad.has(r[5]))!);
        await assertSameDocument(page);
        const [start, end, records, sumPrice, sumTotal, file] = row;
        assert.equal(
          Date.parse(`${end.replace(" ", "T")}Z`) - Date.parse(`${start.replace(" ", "T")}Z`),
          WINDOW_MS,
          `window ${start} – ${end}`,
        );
        assert.ok(figure(records) > 0, `records ${records}`);
        assert.ok(units(sumPrice, 2) > 0n && units(sumTotal, 2) > units(sumPrice, 2));
        const watermark = (await page.getByTestId("products-watermark").textContent())!;
        assert.ok(watermark.trim() >= end, `watermark ${watermark} passed the end ${end}`);

        const href = await page.getByTestId("window-csv").filter({ hasText: file })
          .getAttribute("href");
        assert.ok(href, `link of ${file}`);
        const res = await page.request.get(new URL(href, page.url()).href);
        assert.equal(res.status(), 200);
        assert.match(res.headers()["content-type"], /^text\/csv/);
        const csv = await res.text();
        assert.ok(!/(?<!\r)\n/.test(csv), "CRLF line ends only");
        const [header, ...lines]: string[][] = parse(csv);
        assert.deepEqual(header, REFERENCE_PRODUCT_CSV_HEADER);
        assert.equal(lines.length, figure(records), "one CSV row per record of the window");
        let prices = 0n, totals = 0n;
        for (const [id, product, , price, kdv, total, windowEnd] of lines) {
          assert.ok(id !== "" && product !== "", `row ${id}`);
          assert.equal(windowEnd, end);
          assert.equal(units(total, 2), vatCents(price, kdv), `${price} × (1 + ${kdv}) = ${total}`);
          prices += units(price, 6);
          totals += units(total, 2);
        }
        assert.equal(prices, units(sumPrice, 2) * 10_000n, "sum of price");
        assert.equal(totals, units(sumTotal, 2), "sum of total");

        await saveScreenshot(page, "products");
      });

      await step("/clicks: rates, totals, items, ratings, devices, sessions", async () => {
        const clicks = await openPage(context, {
          base: app.url,
          path: "/clicks",
          stream: "clicks",
        });
        opened.push(clicks);
        const { page } = clicks;
        const topics = ["clicks", "views", "ratings"] as const;
        for (const topic of topics) {
          await until({
            what: `${topic} rate`,
            read: () => read(page, `rate-${topic}`),
            ok: (v) => v > 0,
          });
        }
        const before = await Promise.all(topics.map((topic) => read(page, `total-${topic}`)));
        assert.ok(before.every((n) => n > 0), `totals ${before}`);
        for (const [i, topic] of topics.entries()) {
          await until({
            what: `${topic} total grows`,
            read: () => read(page, `total-${topic}`),
            ok: (v) => v > before[i],
          });
        }
        await assertSameDocument(page);

        for (const kind of ["viewed", "clicked"]) {
          const rows = await tableRows(page, `top-${kind}`);
          assert.ok(rows.length > 0 && rows.length <= 10, `top ${kind}: ${rows.length} rows`);
          const counts = rows.map((r) => figure(r[2]));
          assert.ok(rows.every((r) => /^#\d+$/.test(r[0])), `items of top ${kind}`);
          assert.ok(counts.every((n) => n > 0), `counts of top ${kind}`);
          assert.deepEqual(counts, [...counts].sort((a, b) => b - a), `top ${kind} most first`);
        }

        const ratings = await tableRows(page, "ratings-table");
        assert.ok(ratings.length > 0, "rated items listed");
        for (const [item, , average, count] of ratings) {
          assert.match(average, /^\d\.\d\d$/);
          assert.ok(Number(average) >= 1 && Number(average) <= 5, `${item} averages ${average}`);
          assert.ok(figure(count) > 0);
        }

        const split = page.getByTestId("device-split");
        const labels = await split.locator(".device-head > span:first-child").allTextContents();
        assert.deepEqual(labels, ["Mobile", "Desktop", "Tablet"]);
        const devices = await Promise.all(
          ["mobile", "desktop", "tablet"].map((d) => read(page, `device-${d}`)),
        );
        assert.ok(devices.every((n) => n > 0), `views per device ${devices}`);

        const sessionsLabels = await tableRows(page, "sessions-table").then((rows) =>
          rows.map((r) => r[0])
        );
        assert.deepEqual(sessionsLabels, ["Mobile", "Desktop", "Tablet", "Clicks only"]);
        const sessions = await until({
          what: "sessions ended on every device",
          read: () => Promise.all(SESSION_ROWS.map((d) => read(page, `sessions-${d}`))),
          ok: (counts) => counts.every((n) => n > 0),
        });
        await until({
          what: "sessions grow live",
          read: () => Promise.all(SESSION_ROWS.map((d) => read(page, `sessions-${d}`))),
          ok: (counts) => counts.some((n, i) => n > sessions[i]),
        });
        for (const [label, count, duration, events] of await tableRows(page, "sessions-table")) {
          assert.ok(figure(count) > 0, `${label}: ${count} sessions`);
          assert.match(duration, /^(\d+ min )?\d+ s$/, `${label}: mean duration ${duration}`);
          assert.ok(Number(events) >= 1, `${label}: ${events} events per session`);
        }

        await until({
          what: "rate line drawn",
          read: () => canvasPixels(page, '[data-testid="clicks-rates"] canvas'),
          ok: (p) => p.drawn > 500 && p.blue > 50,
        });
        // Rates come from ten-second windows: wait until they reflect the generators' pace.
        await until({
          what: `rates near ${RATE}/s`,
          read: () => Promise.all(topics.map((topic) => read(page, `rate-${topic}`))),
          ok: (rates) => rates.every((v) => v >= RATE * 0.8),
          timeoutMs: 30_000,
        });
        await saveScreenshot(page, "clicks");
      });

      await step(
        "/: offline, generated users show the avatars the app draws and nothing is asked elsewhere",
        async () => {
          const offline = await browser.newContext();
          const tried = await blockOtherHosts(offline, new URL(app.url).origin);
          const page = await offline.newPage();
          await page.goto(app.url);
          await page.getByTestId("last-user-name").waitFor({ timeout: LIVE_WAIT_MS });
          await page.locator("[data-testid=last-user] [data-avatar=drawn]").waitFor({
            timeout: LIVE_WAIT_MS,
          });
          const card = await page.getByTestId("last-user").evaluate((el) => ({
            name: el.querySelector("[data-testid=last-user-name]")?.textContent ?? "",
            initials: el.querySelector("[data-avatar=drawn]")?.getAttribute("data-initials") ?? "",
          }));
          assert.equal(card.initials, initialsOf(card.name), "the avatar shows the initials");
          assert.deepEqual(tried, [], "no request left the machine");
          await offline.close();
        },
      );

      assert.deepEqual(blocked, [], "no request left the app's origin");
      for (const { page, errors } of opened) {
        assert.deepEqual(errors, [], `no errors on ${page.url()}`);
      }
      await context.close();
      const status = await app.stop("SIGTERM");
      assert.equal(status.code, 0, app.output());
    } catch (error) {
      // What the app logged is the first thing to read when a browser test fails in CI.
      console.error(`app output:\n${app.output()}`);
      throw error;
    } finally {
      if (producer) {
        try {
          producer.kill("SIGTERM"); // deno task passes it on to the script
        } catch {
          // already exited
        }
        await producer.status;
      }
      await browser.close();
      await app.stop("SIGKILL");
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
