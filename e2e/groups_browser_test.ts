/**
 * The consumer groups console in a real browser (headless Chromium through
 * playwright-core) against a real StreamBoard process: the users processor's
 * group shows with its status badge, its partitions and a lag history chart
 * that grows live over SSE, without script errors or requests elsewhere.
 */

import assert from "node:assert/strict";
import { startApp } from "./app_process.ts";
import {
  blockOtherHosts,
  collectErrors,
  launchChromium,
  LIVE_WAIT_MS,
  saveScreenshot,
  waitForLive,
} from "./browser.ts";

Deno.test({
  name:
    "browser: /console/groups shows each group's status, partitions, which member holds each, and a live lag history",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const app = await startApp({
      STREAMBOARD_STREAMS: "users",
      STREAMBOARD_RATE: "20",
      STREAMBOARD_SEED: "5",
      STREAMBOARD_LAG_SAMPLE_MS: "500",
      STREAMBOARD_PROCESSOR_WORKERS: "2",
    });
    const browser = await launchChromium().catch(async (error) => {
      await app.stop("SIGKILL");
      throw error;
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const blocked = await blockOtherHosts(context, app.url);
      const page = await context.newPage();
      const errors = collectErrors(page);
      await page.goto(new URL("/console/groups", app.url).href);
      await waitForLive(page);
      const card = page.locator('[data-testid="group"][data-group="streamboard-users"]');
      await card.waitFor({ timeout: LIVE_WAIT_MS });
      // A busy machine can hold a batch past Burrow's window for a moment (STALL); it recovers.
      await card.getByTestId("group-status").filter({ hasText: /^(OK|WARN)$/ })
        .waitFor({ timeout: LIVE_WAIT_MS });
      assert.ok(await card.locator("tbody tr").count() >= 1, "a row per partition");
      // Two processor workers share the partitions: each row names the member holding it.
      const holders = async () =>
        [...new Set(await card.getByTestId("holder").allInnerTexts())].sort();
      const shared = Date.now() + LIVE_WAIT_MS;
      while ((await holders()).join() !== "#1,#2") {
        assert.ok(Date.now() < shared, `both members hold partitions: ${await holders()}`);
        await page.waitForTimeout(200);
      }
      const chart = card.getByTestId("lag-history");
      await chart.locator("canvas").waitFor({ timeout: LIVE_WAIT_MS });
      const points = async () => Number(await chart.getAttribute("data-points"));
      const first = await points();
      const deadline = Date.now() + LIVE_WAIT_MS;
      while (await points() <= first) {
        assert.ok(Date.now() < deadline, "the lag history grows live without a reload");
        await page.waitForTimeout(200);
      }
      await saveScreenshot(page, "console-groups");
      assert.deepEqual(errors, []);
      assert.deepEqual(blocked, []);
    } finally {
      await browser.close();
      await app.stop();
    }
  },
});
