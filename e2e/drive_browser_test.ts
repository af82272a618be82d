/**
 * Driving the pages in a real browser against a real StreamBoard process fed
 * by its generators: pause and resume from the keyboard, the connection state
 * always shown; offline by default (generated users get drawn avatars, no
 * request leaves the machine; a real photo that cannot load falls back).
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { PAGES, startApp } from "./app_process.ts";
import {
  collectErrors,
  launchChromium,
  LIVE_WAIT_MS,
  saveScreenshot,
  waitForLive,
} from "./browser.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import type { UsersSnapshot } from "../server/dashboards.ts";

/** Polls `ok` every 200 ms until it holds; fails naming `what` after `LIVE_WAIT_MS`. */
async function until(ok: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + LIVE_WAIT_MS;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${LIVE_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

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
      await waitForLive(page);
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
      await waitForLive(page);
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

Deno.test({
  name:
    "browser: with generated data no page asks anything of another host; a real photo that cannot load shows the drawn avatar",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Slow generators: the real user added below stays among the newest for a while.
    const app = await startApp({ STREAMBOARD_RATE: "1", STREAMBOARD_SEED: "5" });
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const requested: string[] = [];
      context.on("request", (request) => requested.push(request.url()));
      const failed: string[] = [];
      context.on("response", (response) => {
        if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
      });
      const errors: string[] = [];
      for (const path of PAGES) {
        // A page each: a closed page holds no connection (Chromium opens six at most per host).
        const visit = await context.newPage();
        const visitErrors = collectErrors(visit);
        // Loaded, every image, script, style and map file of the page has been asked for.
        await visit.goto(new URL(path, app.url).href, { timeout: LIVE_WAIT_MS });
        await visit.close();
        errors.push(...visitErrors.map((error) => `${path}: ${error}`));
      }
      const page = await context.newPage();
      await page.goto(app.url);
      await page.locator("[data-testid=last-user] [data-avatar=drawn]").waitFor({
        timeout: LIVE_WAIT_MS,
      });
      const drawn = await page.locator("[data-testid=user-list] [data-avatar=drawn]").count();
      assert.ok(drawn > 0, "the feed shows drawn avatars too");
      const origin = new URL(app.url).origin;
      assert.ok(requested.length > PAGES.length, "requests were recorded");
      const elsewhere = requested.filter((url) => !url.startsWith(`${origin}/`));
      assert.deepEqual(elsewhere, [], "every request went to the app's origin");
      assert.deepEqual(failed, [], "every request answered");
      assert.deepEqual(errors, [], "no script or console errors");

      // A real RandomUser record keeps its photo URL; blocked (offline), the drawn avatar replaces it.
      const photo = "https://randomuser.me/api/portraits/women/44.jpg";
      await context.route(
        "https://randomuser.me/**",
        (route) => route.abort("internetdisconnected"),
      );
      const real = {
        ...generateUser(seededRandom(11), Date.now()),
        picture: { large: photo, medium: photo, thumbnail: photo },
      };
      const added = await fetch(new URL("/add_user", app.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(real),
      });
      assert.equal(added.status, 202);
      await added.body?.cancel();
      const name = `${real.name.first} ${real.name.last}`;
      await until(async () => {
        const res = await fetch(new URL("/api/pages/users", app.url));
        const body = await res.json() as UsersSnapshot;
        return body.users.some((user) => user.uuid === real.login.uuid);
      }, "the real user stored");
      // Rendered by the server with its photo, which fails; hydration puts the drawn avatar instead.
      await page.reload();
      const row = page.getByTestId("user-list").locator("tr").filter({ hasText: name });
      await row.locator("[data-avatar=drawn]").waitFor({ timeout: LIVE_WAIT_MS });
      assert.ok(requested.includes(photo), "the real photo was asked for");
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

/** Screenshot names of the pages, `docs/<name>-390.png`. */
const SHOTS: Record<string, string> = {
  "/": "users",
  "/sales": "sales",
  "/clicks": "clicks",
  "/products": "products",
  "/console": "console",
  "/console/groups": "console-groups",
  "/console/dead-letters": "console-dead-letters",
};

/** What spills: the document wider than the window, KPI figures outside their card. */
async function spills(page: Page): Promise<string[]> {
  return await page.evaluate(() => {
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
      found.push(`document ${root.scrollWidth} px wide in ${root.clientWidth} px`);
    }
    for (const value of document.querySelectorAll<HTMLElement>(".kpi-value")) {
      const card = value.closest(".kpi")!.getBoundingClientRect();
      const text = document.createRange();
      text.selectNodeContents(value);
      const box = text.getBoundingClientRect();
      if (box.right > card.right + 0.5 || box.left < card.left - 0.5) {
        found.push(`"${value.textContent}" leaves its card (${box.right} > ${card.right})`);
      }
    }
    return found;
  });
}

/** How long the layout test waits for a revenue too long for its card, ms. */
const REVENUE_WAIT_MS = 150_000;

Deno.test({
  name:
    "browser: every page holds at 1280 px and 390 px: nothing wider than the window, KPI figures inside their cards, Pause reachable by Tab",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Modest generators: a busy machine still serves every page promptly.
    const app = await startApp({ STREAMBOARD_RATE: "5", STREAMBOARD_SEED: "9" });
    const browser = await launchChromium();
    try {
      for (const width of [1280, 390]) {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        for (const path of PAGES) {
          const page = await context.newPage();
          await page.goto(new URL(path, app.url).href, { timeout: LIVE_WAIT_MS });
          await waitForLive(page);
          assert.deepEqual(await spills(page), [], `${path} at ${width} px`);
          if (width === 390) await saveScreenshot(page, `${SHOTS[path]}-390`);
          await page.close();
        }
        await context.close();
      }

      // A long revenue shows compact, the exact figure on hover, inside its card.
      const context = await browser.newContext({ viewport: { width: 390, height: 900 } });
      const page = await context.newPage();
      await page.goto(new URL("/sales", app.url).href, { timeout: LIVE_WAIT_MS });
      const revenue = page.getByTestId("kpi-revenue");
      // At 5 sales/s (about $350 each) the revenue passes 100,000.00, too long for its card, about
      // a minute after the start, however quickly the pages above were visited.
      await page.waitForFunction(
        () =>
          (document.querySelector('[data-testid="kpi-revenue"]')?.getAttribute("data-exact")
            ?.length ?? 0) > 9,
        undefined,
        { timeout: REVENUE_WAIT_MS },
      );
      // Read in one go: the figure moves on with every update.
      const shown = await revenue.evaluate((el) => ({
        exact: el.getAttribute("data-exact"),
        title: el.getAttribute("title"),
        text: el.textContent,
      }));
      assert.equal(shown.title, shown.exact, "the exact figure on hover");
      assert.match(shown.text ?? "", /^\d+(\.\d)?[KMBT]$/);
      assert.deepEqual(await spills(page), []);

      // The controls are reachable from the keyboard.
      const reached: string[] = [];
      for (let i = 0; i < 15; i++) {
        await page.keyboard.press("Tab");
        reached.push(
          await page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? ""),
        );
      }
      assert.ok(reached.includes("pause"), `Tab reaches the pause button: ${reached.join(" | ")}`);
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
