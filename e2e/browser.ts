/**
 * Headless Chromium for the browser tests through playwright-core (Debian's
 * when present, else one unpacked from npm: see chromium.ts), launched with
 * nothing that phones home, and helpers that
 * keep a page on the app's own origin and collect what went wrong in it.
 */

import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from "playwright-core";
import { resolveChromium } from "./chromium.ts";

/**
 * How long a browser test waits for something live to show (the badge going
 * Live, a figure moving): generous, since CI machines are shared and noisy and
 * a page that is merely slow must not read as a broken one.
 */
export const LIVE_WAIT_MS = 30_000;

/**
 * Saves a full-page screenshot as `docs/<name>.png` (the README's pictures)
 * when `UPDATE_SCREENSHOTS=1`, so an ordinary test run leaves the checkout clean.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  if (Deno.env.get("UPDATE_SCREENSHOTS") !== "1") return;
  const path = new URL(`../docs/${name}.png`, import.meta.url).pathname;
  await page.screenshot({ path, fullPage: true });
}

/**
 * Launches headless Chromium without sandbox, GPU, QUIC or background traffic
 * (the first launch on a machine without one unpacks it from npm). Shared
 * memory goes to the temporary folder, since a container's `/dev/shm` may be
 * a few MB. Every page of the browser reports what went wrong in it as it
 * happens (see `reportTrouble`), so a CI log says why a wait timed out.
 */
export async function launchChromium(): Promise<Browser> {
  const { executablePath, env } = await resolveChromium(Deno.env);
  const browser = await chromium.launch({
    executablePath,
    env: { ...Deno.env.toObject(), ...env },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.on("page", reportTrouble);
    return context;
  };
  return browser;
}

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

/**
 * Prints to stderr, with the time and the page's address, what goes wrong in
 * `page`: a crash, an uncaught error, a console error, a server error, a
 * request that failed for another reason than a test's own blocking or a page
 * leaving. A passing run prints nothing from here but what tests provoke.
 */
export function reportTrouble(page: Page): void {
  const say = (what: string) => console.error(`${stamp()} browser ${page.url()}: ${what}`);
  page.on("crash", () => say("the page crashed"));
  page.on("pageerror", (error) => say(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") say(`console error: ${message.text()}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 500) say(`HTTP ${res.status()} for ${res.url()}`);
  });
  page.on("requestfailed", (req) => {
    const reason = req.failure()?.errorText ?? "";
    if (!/ERR_BLOCKED_BY_CLIENT|ERR_ABORTED/.test(reason)) say(`${reason} for ${req.url()}`);
  });
}

/**
 * Waits for a page's connection badge to say Live; on timeout the error says
 * what the badge said instead and since when the page was loaded.
 */
export async function waitForLive(page: Page, timeout = LIVE_WAIT_MS): Promise<void> {
  const badge: Locator = page.getByTestId("live-status");
  const started = Date.now();
  try {
    await badge.filter({ hasText: "Live" }).waitFor({ timeout });
  } catch (error) {
    const said = await badge.evaluateAll((els) =>
      els.map((el) => `"${el.textContent}" (${el.getAttribute("title") ?? "no title"})`)
    ).catch((reason) => `unreadable: ${reason}`);
    throw new Error(
      `${page.url()} not Live within ${Date.now() - started} ms; the badge says ${said}`,
      { cause: error },
    );
  }
}

/**
 * Aborts every request of `context` to a host other than `origin`'s and
 * returns the list it records them in, so a test can assert it stays empty.
 */
export async function blockOtherHosts(context: BrowserContext, origin: string): Promise<string[]> {
  const host = new URL(origin).host;
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).host === host) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  return blocked;
}

/** Collects the page's uncaught errors and console errors, as text, into the returned list. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console error: ${message.text()}`);
  });
  return errors;
}

/** What a test step needs of the app it drives: its log so far. */
export interface LoggingApp {
  output(): string;
}

/**
 * `t.step` that, when the step fails, prints the tail of `app`'s log first
 * (a failed step does not throw in its test, so the test's own `catch`
 * never sees it): the first thing to read when a browser step fails in CI.
 */
export function stepsWithAppLog(
  t: Deno.TestContext,
  app: LoggingApp,
): (name: string, fn: () => Promise<void>) => Promise<boolean> {
  return (name, fn) =>
    t.step(name, async () => {
      try {
        await fn();
      } catch (error) {
        printAppLog(app, `"${name}" failed`);
        throw error;
      }
    });
}

/** Prints the last 80 lines of `app`'s log to stderr, after `why`. */
export function printAppLog(app: LoggingApp, why: string): void {
  const tail = app.output().trimEnd().split("\n").slice(-80).join("\n");
  console.error(`${stamp()} ${why}; the app's log (last 80 lines):\n${tail}`);
}
