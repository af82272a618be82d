/**
 * Headless Chromium for the browser tests through playwright-core (Debian's
 * when present, else one unpacked from npm: see chromium.ts), launched with
 * nothing that phones home, and helpers that
 * keep a page on the app's own origin and collect what went wrong in it.
 */

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
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
 * (the first launch on a machine without one unpacks it from npm).
 */
export async function launchChromium(): Promise<Browser> {
  const { executablePath, env } = await resolveChromium(Deno.env);
  return chromium.launch({
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
    ],
  });
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
