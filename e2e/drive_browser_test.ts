/**
 * Driving the pages in a real browser against a real StreamBoard process fed
 * by its generators: pause and resume from the keyboard, the connection state
 * always shown.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startApp } from "./app_process.ts";
import { launchChromium, LIVE_WAIT_MS } from "./browser.ts";

/** The users total the page shows. */
async function shownTotal(page: Page): Promise<number> {
  return Number((await page.getByTestId("count-total").textContent())?.replaceAll(",", ""));
}

/** The count the waiting badge shows; 0 when it is not there. */
async function waitingCount(page: Page): Promise<number> {
  const badge = page.getByTestId("waiting");
  if (await badge.count() === 0) return 0;
  return Number((await badge.textContent())?.match(/\d+/)?.[0]);
}

Deno.test({
  name:
    "browser: paused from the keyboard nothing moves and a badge counts the waiting updates; resume applies them at once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const app = await startApp({ STREAMBOARD_RATE: "20", STREAMBOARD_SEED: "3" });
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(app.url);
      const status = page.getByTestId("live-status");
      await status.filter({ hasText: "Live" }).waitFor({ timeout: LIVE_WAIT_MS });
      const pause = page.getByTestId("pause");
      assert.equal(await pause.getAttribute("aria-pressed"), "false");

      await pause.focus();
      await page.keyboard.press("Enter");
      assert.equal(await pause.getAttribute("aria-pressed"), "true");
      assert.equal(await pause.textContent(), "Resume");
      const frozen = await shownTotal(page);
      const frozenFeed = await page.getByTestId("user-list").innerText();
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-testid="waiting"]')?.textContent?.match(/\d+/)?.[0],
          ) >= 3,
        undefined,
        { timeout: LIVE_WAIT_MS },
      );
      assert.equal(await shownTotal(page), frozen, "the counters stand still while paused");
      assert.equal(await page.getByTestId("user-list").innerText(), frozenFeed, "so does the feed");
      assert.match(await status.textContent() ?? "", /Live/, "the connection state stays visible");

      await page.keyboard.press("Space");
      assert.equal(await pause.getAttribute("aria-pressed"), "false");
      assert.equal(await waitingCount(page), 0, "the badge goes with the pause");
      assert.ok(await shownTotal(page) > frozen, "every waiting update applied at once");

      // The console pages have the same controls, holding their own live page.
      await page.goto(new URL("/console", app.url).href);
      await status.filter({ hasText: "Live" }).waitFor({ timeout: LIVE_WAIT_MS });
      assert.equal(await status.getAttribute("data-stream"), "console");
      await pause.click();
      assert.equal(await pause.getAttribute("aria-pressed"), "true");
      await page.getByTestId("waiting").waitFor({ timeout: LIVE_WAIT_MS });
      await context.close();
    } catch (error) {
      console.error(`app output:\n${app.output()}`);
      throw error;
    } finally {
      await browser.close();
      await app.stop("SIGKILL");
    }
  },
});
