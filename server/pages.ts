/**
 * The pages StreamBoard ships, as data: for each, the streams whose live
 * topics change it and its read through the ports. The composition root
 * passes this record (or one a registry extends) into the app state; the live
 * feed, the hubs and the routes iterate over it and name no page.
 */

import type { AggregateStore, RawStore } from "../pipeline/ports.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import type { StreamName } from "../pipeline/stream_module.ts";
import type { DashboardPages, LivePage, Pages } from "./dashboards.ts";
import { HttpError } from "./http_error.ts";
import { usersSnapshot } from "./users_data.ts";
import { salesSnapshot } from "./sales_data.ts";
import { clicksSnapshot } from "./clicks_data.ts";
import { productsSnapshot } from "./products_data.ts";

/** What the pages read from. */
export interface PageStores {
  raw: RawStore;
  aggregates: AggregateStore;
  /** Clock, ms since the epoch (the clickstream's rates age with it). */
  now: () => number;
}

/** The live topics of `streams`. */
export function liveTopicsOf(streams: readonly StreamName[]): string[] {
  return streams.map((stream) => STREAMS.get(stream).topics.liveTopic);
}

/** The users, sales, clickstream and products pages on the given stores. */
export function dashboardPages({ raw, aggregates, now }: PageStores): DashboardPages {
  return {
    users: { liveTopics: liveTopicsOf(["users"]), read: () => usersSnapshot(raw, aggregates) },
    sales: { liveTopics: liveTopicsOf(["sales"]), read: () => salesSnapshot(aggregates) },
    clicks: {
      liveTopics: liveTopicsOf(["clicks", "views", "ratings", "sessions"]),
      read: () => clicksSnapshot(raw, aggregates, now()),
    },
    products: {
      liveTopics: liveTopicsOf(["products"]),
      read: () => productsSnapshot(raw, aggregates),
    },
  };
}

/** The page named `name`; a 404 naming the pages there are when none is. */
export function pageNamed(pages: Pages, name: string): LivePage {
  if (!Object.hasOwn(pages, name)) {
    throw new HttpError(404, `no page "${name}"; there are ${Object.keys(pages).join(", ")}`);
  }
  return pages[name];
}
