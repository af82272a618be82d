/**
 * The pages, as data, from the stream registry: each stream module names the
 * page it is shown on; a page follows the live topics of its streams and is
 * read through the ports. The four pages StreamBoard ships have reads of
 * their own; a page a module adds gets a generic one (its streams' newest
 * documents, read models and dead-letter counts), so a new stream has a live
 * JSON view with no web code. The composition root passes the record into
 * the app state; the live feed, the hubs and the routes iterate over it and
 * name no page.
 */

import type { AggregateStore, RawStore } from "../pipeline/ports.ts";
import type { StreamRegistry } from "../pipeline/stream_registry.ts";
import type { StreamModule } from "../pipeline/stream_module.ts";
import { readModels } from "../pipeline/read_models.ts";
import type {
  Dashboard,
  DashboardPages,
  DashboardSnapshots,
  LivePage,
  Pages,
  StreamPageSnapshot,
} from "./dashboards.ts";
import { rejections } from "./rejections.ts";
import { HttpError } from "./http_error.ts";
import { usersQuery, usersSnapshot, usersViewSnapshot } from "./users_data.ts";
import { salesQuery, salesSnapshot, salesViewSnapshot } from "./sales_data.ts";
import { clicksSnapshot, clicksViewSnapshot } from "./clicks_data.ts";
import { productsQuery, productsSnapshot, productsViewSnapshot } from "./products_data.ts";
import { isNarrowed, type PageView, parseView } from "./page_filters.ts";

/** What the pages read from. */
export interface PageStores {
  raw: RawStore;
  aggregates: AggregateStore;
  /** Clock, ms since the epoch (the clickstream's rates age with it). */
  now: () => number;
}

/** Most stored documents a generic stream view shows. */
export const NEWEST_DOCUMENTS = 20;

/** How each shipped page is read. */
const SHIPPED_READS: { [D in Dashboard]: (stores: PageStores) => Promise<DashboardSnapshots[D]> } =
  {
    users: ({ raw, aggregates }) => usersSnapshot(raw, aggregates),
    sales: ({ aggregates }) => salesSnapshot(aggregates),
    clicks: ({ raw, aggregates, now }) => clicksSnapshot(raw, aggregates, now()),
    products: ({ raw, aggregates }) => productsSnapshot(raw, aggregates),
  };

/** How each shipped page is read narrowed to a view. */
const SHIPPED_VIEWS: {
  [D in Dashboard]: (stores: PageStores, view: PageView) => Promise<DashboardSnapshots[D]>;
} = {
  users: ({ raw, aggregates, now }, view) =>
    usersViewSnapshot(raw, aggregates, usersQuery(view, now())),
  sales: ({ raw, aggregates, now }, view) =>
    salesViewSnapshot(raw, aggregates, salesQuery(view, now())),
  clicks: ({ raw, aggregates, now }, view) =>
    clicksViewSnapshot(raw, aggregates, { view, now: now() }),
  products: ({ raw, aggregates, now }, view) =>
    productsViewSnapshot(raw, aggregates, productsQuery(view, now())),
};

function isShipped(page: string): page is Dashboard {
  return Object.hasOwn(SHIPPED_READS, page);
}

/**
 * Every page the registry's streams are shown on, with the live topics of
 * its streams; the shipped pages read as they always have, any other page
 * with the generic stream views.
 */
export function registryPages(
  registry: StreamRegistry,
  stores: PageStores,
): DashboardPages & Pages {
  const members = new Map<string, StreamModule[]>();
  for (const module of registry.modules) {
    if (!module.page) continue;
    members.set(module.page.page, [...(members.get(module.page.page) ?? []), module]);
  }
  const pages: Record<string, LivePage> = {};
  for (const [page, modules] of members) {
    pages[page] = {
      liveTopics: modules.map((m) => m.topics.liveTopic),
      ...(isShipped(page)
        ? {
          read: () => SHIPPED_READS[page](stores),
          readView: (view: PageView) =>
            isNarrowed(view) ? SHIPPED_VIEWS[page](stores, view) : SHIPPED_READS[page](stores),
        }
        : { read: () => streamPage(modules, stores) }),
    };
  }
  for (const page of Object.keys(SHIPPED_READS)) {
    if (!pages[page]) throw new Error(`no stream of the registry is shown on the ${page} page`);
  }
  return pages as DashboardPages & Pages;
}

/** The generic snapshot of a page a stream module adds. */
export async function streamPage(
  modules: readonly StreamModule[],
  { raw, aggregates }: PageStores,
): Promise<StreamPageSnapshot> {
  const models = await readModels(raw, modules.map((m) => m.name));
  return {
    streams: await Promise.all(modules.map(async (module) => ({
      stream: module.name,
      title: module.page?.title ?? module.name,
      newest: (await raw.list(module.topics.collection, { limit: NEWEST_DOCUMENTS })).items
        .map((item) => item.doc),
      readModels: (models.get(module.name) ?? []).sort((a, b) => a.partition - b.partition),
      rejected: await rejections(aggregates, module.name),
    }))),
  };
}

/** The page named `name`; a 404 naming the pages there are when none is. */
export function pageNamed(pages: Pages, name: string): LivePage {
  if (!Object.hasOwn(pages, name)) {
    throw new HttpError(404, `no page "${name}"; there are ${Object.keys(pages).join(", ")}`);
  }
  return pages[name];
}

/**
 * The snapshot of page `name` in the view its URL query states: the page's
 * whole snapshot when nothing is narrowed.
 *
 * @throws {HttpError} 400 for a malformed view, or a narrowed one of a page that has no filters.
 */
export function readPageView(
  pages: Pages,
  name: string,
  params: URLSearchParams,
): Promise<unknown> {
  const page = pageNamed(pages, name);
  const view = parseView(name, params);
  if (!isNarrowed(view)) return page.read();
  if (!page.readView) {
    throw new HttpError(400, `the ${name} page has no filters or time range`);
  }
  return page.readView(view);
}
