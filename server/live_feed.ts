/**
 * The one live path from the broker to every page's viewers. One follower of
 * the live topics of all pages (what processors announce after their stores
 * acknowledged) marks the pages that follow a topic stale, and so does the
 * clock every `refreshMs`; a stale page that has viewers is read again and
 * pushed whole as an `update`, at most once per `intervalMs`. A viewer that
 * needs a full picture gets the page's `snapshot`.
 */

import type { Broker } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import { delay } from "../pipeline/async.ts";
import { LiveHub } from "./live_hub.ts";
import type { Pages } from "./dashboards.ts";

/** Sizes of each page's hub buffers. */
export interface HubSizes {
  /** Events kept per page for reconnecting viewers. */
  sseReplay: number;
  /** Frames buffered per viewer before it is resynchronised. */
  sseClientBuffer: number;
}

/** The live hubs of pages, by page name. */
export type PageHubs = ReadonlyMap<string, LiveHub>;

/** One hub per page, whose snapshot is the page's read. */
export function pageHubs(pages: Pages, sizes: HubSizes): PageHubs {
  return new Map(
    Object.entries(pages).map(([name, page]) => [
      name,
      new LiveHub({
        replay: sizes.sseReplay,
        clientBuffer: sizes.sseClientBuffer,
        snapshot: () => page.read(),
      }),
    ]),
  );
}

/** Settings of the live feed. */
export interface LiveFeedOptions {
  broker: Broker;
  pages: Pages;
  hubs: PageHubs;
  log: Logger;
  signal: AbortSignal;
  /** Least time between two updates of one page, ms. */
  intervalMs?: number;
  /**
   * A page with viewers is read again at least this often, ms, so figures
   * that age with the clock (events per second) stay true while nothing comes.
   */
  refreshMs?: number;
  /** Called once the feed follows the live topics. */
  onReady?(): void;
}

/** Runs until the signal aborts; follows again after a broker hiccup. */
export async function runLiveFeed(options: LiveFeedOptions): Promise<void> {
  const { broker, pages, hubs, log, signal } = options;
  const interval = options.intervalMs ?? 250;
  const live = Object.entries(pages).map(([name, page]) => {
    const hub = hubs.get(name);
    if (!hub) throw new Error(`page "${name}" has no live hub`);
    return { name, page, hub };
  });
  const pagesOf = new Map<string, string[]>();
  for (const { name, page } of live) {
    for (const topic of page.liveTopics) pagesOf.set(topic, [...pagesOf.get(topic) ?? [], name]);
  }
  const byName = new Map(live.map((entry) => [entry.name, entry]));
  const stale = new Set<string>();
  const running = new Set<string>();
  const last = new Map<string, number>();

  const refresh = async (name: string) => {
    if (running.has(name)) return;
    running.add(name);
    const { page, hub } = byName.get(name)!;
    try {
      while (stale.has(name) && !signal.aborted) {
        const wait = (last.get(name) ?? 0) + interval - Date.now();
        if (wait > 0) await delay(wait, signal);
        stale.delete(name);
        last.set(name, Date.now());
        if (hub.clients === 0) {
          hub.markChanged();
          continue;
        }
        hub.publish("update", await page.read());
      }
    } catch (error) {
      if (!signal.aborted) {
        log.warn(`could not read the ${name} page for its viewers: ${(error as Error).message}`);
      }
    } finally {
      running.delete(name);
    }
  };
  const markStale = (name: string) => {
    stale.add(name);
    refresh(name);
  };

  const periodic = setInterval(() => {
    for (const { name, hub } of live) if (hub.clients > 0) markStale(name);
  }, options.refreshMs ?? 5000);
  try {
    await follow();
  } finally {
    clearInterval(periodic);
  }

  async function follow() {
    while (!signal.aborted) {
      try {
        await broker.tail({
          topics: [...pagesOf.keys()],
          signal,
          onReady: options.onReady,
          handle: (batch) => {
            for (const name of pagesOf.get(batch.topic) ?? []) markStale(name);
          },
        });
      } catch (error) {
        if (signal.aborted) break;
        log.warn(`live feed lost the broker (${(error as Error).message}); following again in 1 s`);
        await delay(1000, signal);
      }
    }
  }
}
