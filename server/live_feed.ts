/**
 * The one live path from the broker to every page's viewers. One follower of
 * the live topics of all pages (what processors announce after their stores
 * acknowledged) marks the pages that follow a topic stale, and so does the
 * clock every `refreshMs`; a stale page that has viewers is read again and
 * pushed whole as an `update`, at most once per `intervalMs`. A viewer that
 * needs a full picture gets the page's `snapshot`.
 *
 * After each `update` a `latency` event follows: when the server sent it,
 * the page's produce-to-stored latency over the last minute, and the broker
 * timestamps of the events the update first carries (from the
 * announcements), from which the browser measures produce-to-browser.
 */

import type { Broker } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import { delay } from "../pipeline/async.ts";
import { LiveHub } from "./live_hub.ts";
import { type LastUpdate, nextUpdateAt, UPDATE_PACING } from "./update_pacing.ts";
import type { Pages } from "./dashboards.ts";
import type { LiveAnnouncement } from "../pipeline/live_announcement.ts";
import type { LatencyFigures } from "../client/latency_window.ts";
import type { LiveLatency } from "./metrics/pipeline_metrics.ts";

/** The `latency` event that follows each page update. */
export interface LatencyEvent {
  /** When the server pushed the update, ms since the epoch (its clock). */
  sentAt: number;
  /** Produce-to-stored latency of the page's streams over the last minute, ms. */
  stored: LatencyFigures | null;
  /** Broker timestamps (ms) of events the update carries for the first time, at most `LATENCY_SAMPLE` of them. */
  produced: number[];
}

/** Most event timestamps one `latency` event carries (an even sample of them when more came). */
export const LATENCY_SAMPLE = 200;

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
  /** Longest time between two updates of one page under a burst, ms (see `update_pacing.ts`). */
  intervalMs?: number;
  /**
   * A page with viewers is read again at least this often, ms, so figures
   * that age with the clock (events per second) stay true while nothing comes.
   */
  refreshMs?: number;
  /** Called once the feed follows the live topics. */
  onReady?(): void;
  /** Told of each update pushed, and asked for the figures each `latency` event carries. */
  latency?: LiveLatency;
}

/** Runs until the signal aborts; follows again after a broker hiccup. */
export async function runLiveFeed(options: LiveFeedOptions): Promise<void> {
  const { broker, pages, hubs, log, signal } = options;
  const maxGapMs = options.intervalMs ?? UPDATE_PACING.maxGapMs;
  const pacing = {
    ...UPDATE_PACING,
    maxGapMs,
    minGapMs: Math.min(UPDATE_PACING.minGapMs, maxGapMs),
  };
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
  const last = new Map<string, LastUpdate>();
  // Broker timestamps of events announced since a page's last update, by page.
  const pending = new Map<string, number[]>();
  const decoder = new TextDecoder();

  const refresh = async (name: string) => {
    if (running.has(name)) return;
    running.add(name);
    const { page, hub } = byName.get(name)!;
    try {
      while (stale.has(name) && !signal.aborted) {
        const wait = nextUpdateAt(last.get(name), pacing) - Date.now();
        if (wait > 0) await delay(wait, signal);
        stale.delete(name);
        const at = Date.now();
        last.set(name, { at, costMs: 0, fanOutMs: 0 });
        const produced = pending.get(name) ?? [];
        pending.delete(name);
        if (hub.clients === 0) {
          hub.markChanged();
          continue;
        }
        const data = await page.read();
        const sentAt = Date.now();
        if (!options.latency) {
          hub.publish("update", data);
        } else {
          options.latency.pushed(name, produced, sentAt);
          // One chunk, encoded once for every viewer: the update and the latency figures that describe it.
          hub.publishAll([{ event: "update", data }, {
            event: "latency",
            data: {
              sentAt,
              stored: options.latency.stored(name, sentAt),
              produced: evenSample(produced, LATENCY_SAMPLE),
            } satisfies LatencyEvent,
          }]);
        }
        const published = Date.now();
        await hub.delivered({
          share: pacing.behindShare,
          allowed: pacing.behindAllowed,
          maxWaitMs: pacing.deliveryWaitMs,
          signal,
        });
        last.set(name, { at, costMs: published - at, fanOutMs: Date.now() - published });
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

  function producedOf(value: Uint8Array): number[] {
    try {
      const { produced } = JSON.parse(decoder.decode(value)) as LiveAnnouncement;
      return Array.isArray(produced) ? produced.filter((t) => typeof t === "number") : [];
    } catch (error) {
      // Announcements are our own JSON: one that does not parse is a bug, said loudly; its pages still update.
      log.error(`a live announcement is not JSON (${(error as Error).message}): a bug`);
      return [];
    }
  }

  async function follow() {
    while (!signal.aborted) {
      try {
        await broker.tail({
          topics: [...pagesOf.keys()],
          signal,
          onReady: options.onReady,
          handle: (batch) => {
            const names = pagesOf.get(batch.topic) ?? [];
            if (options.latency) {
              const produced = batch.records.flatMap((r) => producedOf(r.value));
              for (const name of names) {
                if (byName.get(name)!.hub.clients > 0) {
                  pending.set(name, [...pending.get(name) ?? [], ...produced]);
                }
              }
            }
            for (const name of names) markStale(name);
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

/** At most `max` of `values`, evenly spread over them. */
export function evenSample(values: readonly number[], max: number): number[] {
  if (values.length <= max) return [...values];
  return Array.from({ length: max }, (_, i) => values[Math.floor(i * values.length / max)]);
}
