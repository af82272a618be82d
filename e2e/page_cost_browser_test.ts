/**
 * What a live page costs the browser showing it. A dashboard left open on a
 * wall or in a background window must not eat a core: each page is opened
 * in headless Chromium while every stream runs at 50 records/s, and the CPU
 * time of its renderer process over 10 s is read from Chromium itself
 * (`SystemInfo.getProcessInfo`), so a busy machine slows the page without
 * changing its figure much. Before this test, continuous chart and CSS
 * animations, an SVG image per new user and a world map measured anew on
 * each update took 47–85% of a core on the users, sales and clicks pages.
 */

import assert from "node:assert/strict";
import { PAGES, startApp } from "./app_process.ts";
import { launchChromium, waitForLive } from "./browser.ts";

/** Records per second per stream while the pages are measured. */
const RATE = 50;
/** How long each page is measured, once live. */
const MEASURE_MS = 10_000;
/** The most of one core a page's renderer may use at `RATE`. */
const BUDGET = 0.4;

/** Chromium's processes as `SystemInfo.getProcessInfo` describes them. */
interface ProcessInfo {
  type: string;
  id: number;
  cpuTime: number;
}

Deno.test({
  name: `every page at ${RATE} records/s per stream costs its browser under ${
    BUDGET * 100
  }% of a core`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const app = await startApp({ STREAMBOARD_RATE: String(RATE) });
    const browser = await launchChromium();
    try {
      const cdp = await browser.newBrowserCDPSession();
      const renderersCpu = async (): Promise<number> => {
        const { processInfo } = await cdp.send("SystemInfo.getProcessInfo") as {
          processInfo: ProcessInfo[];
        };
        return processInfo.filter((p) => p.type === "renderer")
          .reduce((sum, p) => sum + p.cpuTime, 0);
      };
      const costs: Record<string, number> = {};
      for (const path of PAGES) {
        // One page at a time, in a context of its own: the renderers measured are its.
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(new URL(path, app.url).href, { waitUntil: "domcontentloaded" });
        await waitForLive(page);
        await page.waitForTimeout(2000); // the first snapshot drawn, charts created
        const before = await renderersCpu();
        const started = performance.now();
        await page.waitForTimeout(MEASURE_MS);
        const used = await renderersCpu() - before;
        costs[path] = used / ((performance.now() - started) / 1000);
        await context.close();
      }
      console.log(
        Object.entries(costs).map(([path, cost]) => `${path} ${(cost * 100).toFixed(0)}%`)
          .join(", "),
      );
      for (const [path, cost] of Object.entries(costs)) {
        assert.ok(
          cost < BUDGET,
          `${path} took ${(cost * 100).toFixed(0)}% of a core, over ${BUDGET * 100}%`,
        );
      }
    } finally {
      await browser.close();
      await app.stop();
    }
  },
});
