/**
 * The dashboard in a real browser (headless Chromium through playwright-core)
 * against a real StreamBoard process with its producer running.
 */

import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { startApp } from "./app_process.ts";
import { launchChromium, LIVE_WAIT_MS, saveScreenshot, waitForLive } from "./browser.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { CSV_COLUMNS } from "../pipeline/users/users_csv.ts";

const count = async (page: import("playwright-core").Page, id: string) =>
  Number((await page.getByTestId(id).textContent())?.replaceAll(",", ""));

Deno.test({
  name: "browser: the dashboard shows data, updates live over SSE and exports CSV",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const app = await startApp({ STREAMBOARD_RATE: "20", STREAMBOARD_SEED: "7" });
    const browser = await launchChromium();
    try {
      await new Promise((r) => setTimeout(r, 1000));

      const noScript = await browser.newContext({ javaScriptEnabled: false });
      const plain = await noScript.newPage();
      await plain.goto(app.url);
      assert.ok((await count(plain, "count-total")) > 0, "server-rendered before any script");
      assert.ok((await plain.getByTestId("user-list").locator("tr").count()) > 0);
      await noScript.close();

      const context = await browser.newContext({
        acceptDownloads: true,
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        dialog.dismiss();
      });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      const streams: string[] = [];
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.origin === new URL(app.url).origin && url.pathname.startsWith("/api/")) {
          streams.push(url.pathname);
        }
      });
      await page.goto(app.url);
      await waitForLive(page);
      assert.deepEqual(
        streams,
        ["/api/stream/users"],
        "one stream, shared by every island and the badge",
      );

      const before = await count(page, "count-total");
      await page.waitForFunction(
        (n) =>
          Number(
            document.querySelector('[data-testid="count-total"]')!.textContent!.replaceAll(",", ""),
          ) >= n + 10,
        before,
        { timeout: LIVE_WAIT_MS },
      );
      // Beside the Live dot: produce-to-stored and produce-to-browser, p50 / p99 of the last minute.
      const figures = /^(stored|browser) \d+(\.\d)? (ms|s) \/ \d+(\.\d)? (ms|s)$/;
      for (const id of ["latency-stored", "latency-browser"]) {
        await page.waitForFunction(
          ([testid, pattern]) =>
            new RegExp(pattern).test(
              document.querySelector(`[data-testid="${testid}"]`)?.textContent ?? "",
            ),
          [id, figures.source],
          { timeout: LIVE_WAIT_MS },
        );
      }
      const latency = await page.getByTestId("live-latency").textContent();
      assert.match(latency!, /stored \d.* \/ .*browser \d.* \/ /);
      const pie = page.getByTestId("gender-pie");
      await pie.locator("canvas").waitFor();
      const slices = (await pie.getAttribute("data-values"))!.split(",").map(Number);
      const total = await count(page, "count-total");
      assert.ok(slices[0] + slices[1] + slices[2] >= before + 10, "the pie follows the counters");
      assert.equal(
        await count(page, "count-male") + await count(page, "count-female") +
            await count(page, "count-other") >= total,
        true,
      );

      const hostile = generateUser(seededRandom(1), Date.now());
      hostile.name.first = "<img src=x onerror=alert(1)>";
      const added = await fetch(new URL("/add_user", app.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(hostile),
      });
      assert.equal(added.status, 202);
      await added.body?.cancel();
      const expectedName = `${hostile.name.first} ${hostile.name.last}`;
      await page.getByTestId("user-list").getByText(expectedName, { exact: true }).waitFor({
        timeout: LIVE_WAIT_MS,
      });
      assert.equal(dialogs.length, 0, "a hostile name never runs as HTML");

      // Every user the page counts was stored before it was announced, so an export made
      // afterwards holds at least as many rows (more arrive while it downloads).
      const shown = await count(page, "count-total");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("csv-download").click(),
      ]);
      const csv = await Deno.readTextFile(await download.path());
      const rows: Record<string, string>[] = parse(csv, { bom: true, columns: true });
      assert.deepEqual(Object.keys(rows[0]), [...CSV_COLUMNS]);
      assert.ok(rows.length >= shown, `CSV has ${rows.length} rows, dashboard showed ${shown}`);
      assert.equal(new Set(rows.map((r) => r.uuid)).size, rows.length);
      assert.equal(rows.find((r) => r.uuid === hostile.login.uuid)?.first_name, hostile.name.first);

      await saveScreenshot(page, "dashboard");
      assert.deepEqual(errors, [], "no script errors");

      const started = Date.now();
      const status = await app.stop("SIGTERM");
      assert.equal(status.code, 0, app.output());
      assert.ok(Date.now() - started < 10_000, "shuts down promptly with a viewer connected");
      assert.match(app.output(), /stopped cleanly/);
      await context.close();
    } catch (error) {
      // What the app logged is the first thing to read when a browser test fails in CI.
      console.error(`app output:\n${app.output()}`);
      throw error;
    } finally {
      await browser.close();
      await app.stop("SIGKILL");
    }
  },
});
