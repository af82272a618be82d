/**
 * The operations console in a real browser (headless Chromium through
 * playwright-core) against a real StreamBoard process producing users: the
 * topics table fills and goes live, a topic's page browses from an offset,
 * filters, refuses a bad filter, downloads what it shows as NDJSON, produces
 * a test message that then shows, and tails live over SSE.
 */

import assert from "node:assert/strict";
import { startApp } from "./app_process.ts";
import {
  blockOtherHosts,
  collectErrors,
  launchChromium,
  LIVE_WAIT_MS,
  saveScreenshot,
} from "./browser.ts";

Deno.test({
  name: "console: topics live, browse, filter, download, produce and tail a topic in Chromium",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const app = await startApp({
      STREAMBOARD_RATE: "20",
      STREAMBOARD_SEED: "7",
      STREAMBOARD_STREAMS: "users",
    });
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const blocked = await blockOtherHosts(context, app.url);
      const page = await context.newPage();
      const errors = collectErrors(page);

      // Every page links to the console (the users page itself loads portraits from elsewhere).
      for (const path of ["/", "/sales", "/clicks", "/products"]) {
        const html = await (await page.request.get(new URL(path, app.url).href)).text();
        assert.match(html, /<a href="\/console"[^>]*>Console<\/a>/, path);
      }
      await page.goto(new URL("/console", app.url).href);
      const users = page.locator('[data-testid="console-topics"] tr[data-topic="users"]');
      await users.waitFor({ timeout: LIVE_WAIT_MS });
      // Records in per second is known after two samples (5 s apart) and pushed live.
      await page.waitForFunction(
        () => {
          const rate = document.querySelector('tr[data-topic="users"] [data-testid="rate"]');
          return rate !== null && Number(rate.textContent) > 0;
        },
        undefined,
        { timeout: LIVE_WAIT_MS },
      );
      assert.match(await users.getByTestId("offsets").textContent() ?? "", /^0: 0–\d+/);
      assert.equal(await page.getByTestId("console-connection").textContent(), "live");
      await saveScreenshot(page, "console-topics");

      await users.getByRole("link", { name: "users" }).click();
      await page.waitForURL(/\/console\/topics\/users$/);
      assert.equal(await page.getByTestId("topic-name").textContent(), "users");
      assert.ok((await page.locator("article.message").count()) > 0, "the newest messages show");

      // From an offset of one partition.
      const browse = page.getByTestId("browse-form");
      await browse.locator('select[name="partition"]').selectOption("0");
      await browse.locator('select[name="mode"]').selectOption("offset");
      await browse.locator('input[name="offset"]').fill("1");
      await browse.locator('input[name="limit"]').fill("3");
      await browse.getByRole("button", { name: "Show" }).click();
      await page.waitForFunction(() =>
        [...document.querySelectorAll("article.message")].map((a) => a.getAttribute("data-offset"))
          .join(",") === "1,2,3"
      );
      const meta = await page.getByTestId("message-meta").first().textContent();
      assert.match(meta ?? "", /^partition 0 · offset 1 · \d{4}-\d\d-\d\dT.* · key .+ · json$/);
      assert.match(await page.locator("pre.message-value").first().textContent() ?? "", /"login"/);

      // The download holds what is shown.
      const href = await page.getByTestId("ndjson").getAttribute("href");
      const download = await page.request.get(new URL(href!, app.url).href);
      const lines = (await download.text()).trimEnd().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(lines.map((m) => m.offset), [1, 2, 3]);

      // A filter that cannot be read says why; nothing else changes.
      await browse.locator('input[name="filter"]').fill("key");
      await browse.getByRole("button", { name: "Show" }).click();
      await page.getByTestId("browse-error").waitFor();
      assert.match(await page.getByTestId("browse-error").textContent() ?? "", /filter: clause/);

      // Produce a test message, then find it by a filter on a header and a JSON field.
      const produce = page.getByTestId("produce-form");
      await produce.locator('input[name="key"]').fill("console-probe");
      await produce.locator('input[name="headers"]').fill('{"origin": "e2e"}');
      await produce.locator('textarea[name="value"]').fill('{"probe": {"n": 42}}');
      await produce.getByRole("button", { name: "Produce" }).click();
      await page.getByText("produced to users").waitFor();
      await browse.locator('select[name="partition"]').selectOption("");
      await browse.locator('select[name="mode"]').selectOption("newest");
      await browse.locator('input[name="filter"]').fill("header.origin=e2e && probe.n>=42");
      await browse.getByRole("button", { name: "Show" }).click();
      await page.waitForFunction(() => document.querySelectorAll("article.message").length === 1);
      assert.match(await page.getByTestId("message-meta").textContent() ?? "", /key console-probe/);
      assert.match(await page.locator("pre.message-value").textContent() ?? "", /"n": 42/);
      await saveScreenshot(page, "console-topic");

      // Live tail over SSE: a message produced elsewhere shows without a click, and the page
      // does not poll for it.
      const browses: string[] = [];
      page.on("request", (request) => {
        if (new URL(request.url()).pathname.endsWith("/messages")) browses.push(request.url());
      });
      await browse.locator('input[name="filter"]').fill("key=tail-probe");
      await browse.locator('input[name="tail"]').check();
      await page.getByTestId("tail-status").filter({ hasText: "live" }).waitFor({
        timeout: LIVE_WAIT_MS,
      });
      const posted = await page.request.post(
        new URL("/api/console/topics/users/messages", app.url).href,
        {
          headers: { "content-type": "application/json", origin: new URL(app.url).origin },
          data: JSON.stringify({ key: "tail-probe", headers: {}, value: { tail: true } }),
        },
      );
      assert.equal(posted.status(), 202);
      await page.waitForFunction(
        () => document.querySelector("article.message pre")?.textContent?.includes('"tail": true'),
        undefined,
        { timeout: LIVE_WAIT_MS },
      );
      assert.equal(browses.length, 1, `one browse, then the stream: ${browses.join(" ")}`);

      assert.deepEqual(blocked, []);
      // The bad filter's 400 is the one failed load Chromium reports.
      assert.deepEqual(errors, [
        "console error: Failed to load resource: the server responded with a status of 400 (Bad Request)",
      ]);
    } finally {
      await browser.close();
      await app.stop();
    }
  },
});
