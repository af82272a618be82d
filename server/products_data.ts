/** The products page's reads: closed windows and their files, open windows from the read model. */

import type { AggregateStore, RawStore } from "../pipeline/ports.ts";
import { PRODUCTS, type ProductsReadModel } from "../pipeline/products/products_stream.ts";
import { readModel } from "../pipeline/read_models.ts";
import type { ClosedProductWindow, ProductsSnapshot } from "./dashboards.ts";
import { rejections } from "./rejections.ts";

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
  const [page, model, rejected] = await Promise.all([
    raw.list(PRODUCTS.windowsCollection, { limit: CLOSED_WINDOWS }),
    readModel(raw, PRODUCTS.name, 0),
    rejections(aggregates, PRODUCTS.name),
  ]);
  const closed = page.items.map(({ doc }): ClosedProductWindow => ({
    start: String(doc.start),
    end: String(doc.end),
    records: Number(doc.records),
    sumPrice: String(doc.sumPrice),
    sumTotal: String(doc.sumTotal),
    file: String(doc.file),
    url: windowFileUrl(String(doc.file)),
  }));
  const open = model as ProductsReadModel | undefined;
  return { closed, open: open?.open ?? [], watermark: open?.watermark ?? null, rejected };
}
