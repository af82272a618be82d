/**
 * Filters, time range, shared URLs and exports in a real browser against a
 * real StreamBoard process fed by its generators. The users page is driven
 * through its filter bar over a custom range that ends in the past, so the
 * view stays still while the generators go on: the page, the same URL opened
 * in a new page at a phone's width, the JSON API and each downloaded export
 * must all show the same users. The other pages' filters are applied through
 * their bars and their tables checked against the filter.
 */

import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import type { Download, Page } from "playwright-core";
import { startApp } from "./app_process.ts";
import { launchChromium, LIVE_WAIT_MS, printAppLog, waitForLive } from "./browser.ts";
import type { SalesSnapshot, UsersSnapshot } from "../server/dashboards.ts";
import { readParquetBytes } from "../pipeline/testing/parquet_reader.ts";

/** The cells of each row of the user list: name, gender, age, country. */
function userRows(page: Page): Promise<string[][]> {
  return page.getByTestId("user-list").locator("tr").evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent ?? ""))
  );
}

/** Clicks the export link `testId` and reads the file it downloads. */
async function download(page: Page, testId: string): Promise<Uint8Array> {
  const details = page.getByTestId("page-exports");
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await details.locator("summary").click();
  }
  const [file] = await Promise.all([
    page.waitForEvent("download") as Promise<Download>,
    page.getByTestId(testId).click(),
  ]);
  return await Deno.readFile((await file.path())!);
}

/** How the other pages are opened: the sales map's data can hold "load" back on a busy machine. */
const OPEN = { waitUntil: "domcontentloaded", timeout: 2 * LIVE_WAIT_MS } as const;

/**
 * Opens a dashboard and waits until it is live: its islands are hydrated
 * then, so the filter bar's own submit runs rather than the plain form's,
 * and hydration does not reset what the test types next.
 */
async function open(page: Page, path: string | URL): Promise<void> {
  await page.goto(String(path), OPEN);
  await waitForLive(page);
}

/** Waits for a navigation that the filter bar's Apply starts, and for the new page to be live. */
async function apply(page: Page): Promise<void> {
  const before = page.url();
  await Promise.all([
    page.waitForURL((url) => url.href !== before),
    page.getByTestId("filter-apply").click(),
  ]);
  await waitForLive(page);
}

Deno.test({
  name:
    "filters, time range, a shared URL and every export format show the same view, at 1280 and 390 px",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const app = await startApp({ STREAMBOARD_RATE: "20", STREAMBOARD_SEED: "11" });
    const browser = await launchChromium();
    try {
      const api = async <T>(path: string): Promise<T> => {
        const res = await fetch(new URL(path, app.url));
        const body = await res.json();
        assert.equal(res.status, 200, `GET ${path}: ${JSON.stringify(body)}`);
        return body as T;
      };
      // Users up to `to` never change: later ones fall outside the view.
      const deadline = Date.now() + LIVE_WAIT_MS;
      let to = 0;
      let sample: UsersSnapshot["users"][number] | undefined;
      while (!sample && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        to = Date.now() - 500;
        const page = await api<UsersSnapshot>(`/api/pages/users?to=${to}`);
        // Letters compare without case for ASCII only (see `FieldCondition`): search an ASCII run.
        sample = page.users.find((u) => /[A-Za-z]{3}/.test(u.fullName));
      }
      assert.ok(sample, "the generators stored users");
      const fragment = /[A-Za-z]{3}/.exec(sample.fullName)![0].toUpperCase();

      const wide = await browser.newContext({
        acceptDownloads: true,
        viewport: { width: 1280, height: 900 },
      });
      const page = await wide.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await open(page, new URL(`/?to=${to}`, app.url));
      assert.equal(await page.getByTestId("filter-range").inputValue(), "custom");
      await page.getByTestId("filter-gender").selectOption(sample.gender);
      await page.getByTestId("filter-country").fill(sample.country);
      await page.getByTestId("filter-ageMin").fill(String(Math.max(0, sample.age - 5)));
      await page.getByTestId("filter-ageMax").fill(String(sample.age + 5));
      await page.getByTestId("filter-name").fill(fragment);
      await apply(page);
      const url = new URL(page.url());
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        to: String(to),
        gender: sample.gender,
        country: sample.country,
        ageMin: String(Math.max(0, sample.age - 5)),
        ageMax: String(sample.age + 5),
        name: fragment,
      }, "the view lives in the URL, the range's bound to the ms");

      const rows = await userRows(page);
      assert.ok(rows.length > 0, "the sample user matches its own filters");
      for (const [name, gender, age, country] of rows) {
        assert.equal(gender, sample.gender);
        assert.equal(country, sample.country);
        assert.ok(Math.abs(Number(age) - sample.age) <= 5, `age ${age}`);
        assert.ok(name.toUpperCase().includes(fragment), `${name} contains ${fragment}`);
      }
      const served = await api<UsersSnapshot>(`/api/pages/users${url.search}`);
      assert.deepEqual(rows.map((r) => r[0]), served.users.map((u) => u.fullName));
      const total = Number(
        (await page.getByTestId("count-total").textContent())!.replaceAll(",", ""),
      );
      assert.equal(total, served.stats.total);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(
        await userRows(page),
        rows,
        "live updates keep the view: nothing new enters it",
      );

      // The same URL in a new page, at a phone's width: the same view.
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const shared = await phone.newPage();
      await shared.goto(page.url());
      assert.deepEqual(await userRows(shared), rows);
      assert.equal(await shared.getByTestId("filter-gender").inputValue(), sample.gender);
      assert.equal(await shared.getByTestId("filter-name").inputValue(), fragment);
      assert.equal(
        await shared.getByTestId("count-total").textContent(),
        await page.getByTestId("count-total").textContent(),
      );
      await phone.close();

      // Each export format, parsed back: every user of the view, newest first, as the page lists them.
      const names = rows.map((r) => r[0]);
      const csv = parse(new TextDecoder().decode(await download(page, "export-users-csv")), {
        bom: true,
        columns: true,
      }) as Record<string, string>[];
      assert.equal(csv.length, total);
      assert.deepEqual(csv.slice(0, names.length).map((r) => r.full_name.replace(/^'/, "")), names);
      const ndjson = new TextDecoder().decode(await download(page, "export-users-ndjson")).trim()
        .split("\n").map((l) => JSON.parse(l));
      assert.equal(ndjson.length, total);
      assert.deepEqual(ndjson.slice(0, names.length).map((r) => r.full_name), names);
      const parquet = readParquetBytes(await download(page, "export-users-parquet"));
      assert.equal(parquet.rows.length, total);
      assert.deepEqual(parquet.rows.slice(0, names.length).map((r) => r.full_name), names);
      const genders = parse(new TextDecoder().decode(await download(page, "export-gender-csv")), {
        bom: true,
        columns: true,
      }) as Record<string, string>[];
      assert.deepEqual(
        genders.map((g) => [g.gender, Number(g.users)]),
        (["male", "female", "other"] as const).map((g) => [g, served.stats[g]]),
      );

      // A preset time range replaces the custom one.
      await page.getByTestId("filter-range").selectOption("5m");
      await apply(page);
      assert.equal(new URL(page.url()).searchParams.get("range"), "5m");
      assert.equal(new URL(page.url()).searchParams.get("to"), null);

      // Sales: each filter through the bar; the table holds only what it allows.
      const sales = await api<SalesSnapshot>("/api/pages/sales");
      const product = sales.byProduct[0];
      await open(page, new URL("/sales", app.url));
      await page.getByTestId("filter-product").fill(product.product);
      await page.getByTestId("filter-category").fill(product.category);
      await apply(page);
      const shown = await page.getByTestId("sales-table").locator("tr[data-product]").evaluateAll(
        (trs) => trs.map((tr) => (tr as HTMLElement).dataset.product),
      );
      assert.deepEqual(shown, [product.product]);
      const city = (await api<SalesSnapshot>("/api/pages/sales")).byCity[0].city;
      await page.getByTestId("filter-city").fill(city);
      await apply(page);
      const inCity = await api<SalesSnapshot>(`/api/pages/sales${new URL(page.url()).search}`);
      assert.ok(inCity.byCity.every((c) => c.city === city));
      const months = (await download(page, "export-months-ndjson").then((b) =>
        new TextDecoder().decode(b)
      ))
        .trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
      assert.ok(
        months.every((m) => typeof m.month === "string" && typeof m.transactions === "number"),
      );

      // Clickstream: device and item.
      await open(page, new URL("/clicks", app.url));
      await page.getByTestId("filter-device").selectOption("tablet");
      await page.getByTestId("filter-item").fill("7");
      await apply(page);
      assert.equal(new URL(page.url()).searchParams.get("device"), "tablet");
      assert.equal(new URL(page.url()).searchParams.get("item"), "7");
      const devices = (await download(page, "export-devices-ndjson").then((b) =>
        new TextDecoder().decode(b)
      ))
        .trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(devices.filter((d) => d.device !== "tablet").map((d) => d.views), [0, 0]);

      // Products: windows by time range.
      await open(page, new URL("/products?range=1d", app.url));
      assert.equal(await page.getByTestId("filter-range").inputValue(), "1d");
      assert.deepEqual(errors, []);
      await wide.close();
    } catch (error) {
      printAppLog(app, "the filters test failed");
      throw error;
    } finally {
      await browser.close();
      await app.stop();
    }
  },
});
