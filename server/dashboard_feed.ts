/**
 * Live updates of the sales, clickstream and products pages. One follower of
 * the streams' live topics (what processors announce after their stores
 * acknowledged) marks a page stale, and so does the clock every `refreshMs`;
 * a stale page that has viewers is read again and pushed whole as an
 * `update`, at most once per `intervalMs`.
 */

import type { Config } from "../config.ts";
import type { AggregateStore, Broker, RawStore } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import { STREAM_TOPICS } from "../pipeline/streams.ts";
import type { StreamName } from "../pipeline/stream_names.ts";
import { delay } from "../pipeline/async.ts";
import { LiveHub } from "./live_hub.ts";
import { type Dashboard, DASHBOARDS } from "./dashboards.ts";
import type { DashboardReads } from "./state.ts";
import { salesSnapshot } from "./sales_data.ts";
import { clicksSnapshot } from "./clicks_data.ts";
import { productsSnapshot } from "./products_data.ts";

/** The streams each page shows. */
export const DASHBOARD_STREAMS: Record<Dashboard, StreamName[]> = {
  sales: ["sales"],
  clicks: ["clicks", "views", "ratings", "sessions"],
  products: ["products"],
};

/** The reads of each page on the given stores. */
export function dashboardReads(
  raw: RawStore,
  aggregates: AggregateStore,
  now: () => number,
): DashboardReads {
  return {
    sales: () => salesSnapshot(aggregates),
    clicks: () => clicksSnapshot(raw, aggregates, now()),
    products: () => productsSnapshot(raw, aggregates),
  };
}

/** One hub per page; a viewer that needs a full picture gets the page's `snapshot`. */
export function dashboardHubs(config: Config, reads: DashboardReads): Record<Dashboard, LiveHub> {
  return Object.fromEntries(DASHBOARDS.map((dashboard) => [
    dashboard,
    new LiveHub({
      replay: config.sseReplay,
      clientBuffer: config.sseClientBuffer,
      snapshot: async () => [{ event: "snapshot", data: await reads[dashboard]() }],
    }),
  ])) as Record<Dashboard, LiveHub>;
}

/** Settings of the dashboard feed. */
export interface DashboardFeedOptions {
  broker: Broker;
  hubs: Record<Dashboard, LiveHub>;
  reads: DashboardReads;
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
export async function runDashboardFeed(options: DashboardFeedOptions): Promise<void> {
  const { broker, hubs, reads, log, signal } = options;
  const interval = options.intervalMs ?? 250;
  const pageOf = new Map<string, Dashboard>();
  for (const dashboard of DASHBOARDS) {
    for (const stream of DASHBOARD_STREAMS[dashboard]) {
      pageOf.set(STREAM_TOPICS[stream].liveTopic, dashboard);
    }
  }
  const stale = new Set<Dashboard>();
  const running = new Set<Dashboard>();
  const last = new Map<Dashboard, number>();

  const refresh = async (dashboard: Dashboard) => {
    if (running.has(dashboard)) return;
    running.add(dashboard);
    try {
      while (stale.has(dashboard) && !signal.aborted) {
        const wait = (last.get(dashboard) ?? 0) + interval - Date.now();
        if (wait > 0) await delay(wait, signal);
        stale.delete(dashboard);
        last.set(dashboard, Date.now());
        if (hubs[dashboard].clients === 0) continue;
        hubs[dashboard].publish("update", await reads[dashboard]());
      }
    } catch (error) {
      if (!signal.aborted) {
        log.warn(
          `could not read the ${dashboard} page for its viewers: ${(error as Error).message}`,
        );
      }
    } finally {
      running.delete(dashboard);
    }
  };

  const periodic = setInterval(() => {
    for (const dashboard of DASHBOARDS) {
      if (hubs[dashboard].clients === 0) continue;
      stale.add(dashboard);
      refresh(dashboard);
    }
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
          topics: [...pageOf.keys()],
          signal,
          onReady: options.onReady,
          handle: (batch) => {
            const dashboard = pageOf.get(batch.topic);
            if (!dashboard) return;
            stale.add(dashboard);
            refresh(dashboard);
          },
        });
      } catch (error) {
        if (signal.aborted) break;
        log.warn(
          `dashboard feed lost the broker (${(error as Error).message}); following again in 1 s`,
        );
        await delay(1000, signal);
      }
    }
  }
}
