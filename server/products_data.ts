/** The products page's reads: closed windows and their files, open windows from the read model. */

import type { AggregateStore, DocumentQuery, RawStore } from "../pipeline/ports.ts";
import { PRODUCTS, type ProductsReadModel } from "../pipeline/products/products_stream.ts";
import { readModel } from "../pipeline/read_models.ts";
import type { ClosedProductWindow, ProductsSnapshot } from "./dashboards.ts";
import { rejections } from "./rejections.ts";
import { type PageView, viewBounds } from "./page_filters.ts";
import { firstOf } from "./users_data.ts";

/** Closed windows the page lists. */
export const CLOSED_WINDOWS = 20;

/** Where the dashboard serves a window file. */
export function windowFileUrl(file: string): string {
  return `/export/products/${encodeURIComponent(file)}`;
}

/** Everything the products page shows (the topic has one partition, see `products_stream.ts`). */
export async function productsSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
): Promise<ProductsSnapshot> {
  return await productsViewSnapshot(raw, aggregates, {});
}

/** The closed windows a view of the products page lists: those starting in its time range (at `now`, ms). */
export function productsQuery(view: PageView, now: number): DocumentQuery {
  return viewBounds(view, now);
}

/** The products page narrowed to the windows that start in the time range of `query`. */
export async function productsViewSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
  query: DocumentQuery,
): Promise<ProductsSnapshot> {
  const [page, model, rejected] = await Promise.all([
    firstOf(raw.find(PRODUCTS.windowsCollection, query), CLOSED_WINDOWS),
    readModel(raw, PRODUCTS.name, 0),
    rejections(aggregates, PRODUCTS.name),
  ]);
  const closed = page.map(({ doc }): ClosedProductWindow => ({
    start: String(doc.start),
    end: String(doc.end),
    records: Number(doc.records),
    sumPrice: String(doc.sumPrice),
    sumTotal: String(doc.sumTotal),
    file: String(doc.file),
    url: windowFileUrl(String(doc.file)),
  }));
  const open = model as ProductsReadModel | undefined;
  const starts = (w: { start: string }) => {
    const t = zonelessUtc(w.start);
    return (query.from === undefined || t >= query.from) &&
      (query.to === undefined || t < query.to);
  };
  return {
    closed,
    open: (open?.open ?? []).filter(starts),
    watermark: open?.watermark ?? null,
    rejected,
  };
}

/** A zone-less UTC time as the product records carry it (`2025-02-16 07:28:00`), ms. */
function zonelessUtc(text: string): number {
  return Date.parse(`${text.replace(" ", "T")}Z`);
}
