/** The products page's reads: closed windows and their files, open windows from the checkpoint. */

import type { AggregateStore, RawStore } from "../pipeline/ports.ts";
import { checkpointId, CHECKPOINTS } from "../pipeline/processor.ts";
import { PRODUCTS } from "../pipeline/products/products_stream.ts";
import type { ProductSums } from "../pipeline/products/products.ts";
import type { PartitionCheckpoint } from "../pipeline/windowing/windows.ts";
import { formatZoneless } from "../pipeline/windowing/event_time.ts";
import type { ClosedProductWindow, ProductsSnapshot } from "./dashboards.ts";
import { rejections } from "./rejections.ts";

/** Closed windows the page lists. */
export const CLOSED_WINDOWS = 20;

/** Where the dashboard serves a window file. */
export function windowFileUrl(file: string): string {
  return `/export/products/${encodeURIComponent(file)}`;
}

/** Everything the products page shows. */
export async function productsSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
  windowMs: number,
): Promise<ProductsSnapshot> {
  const [page, saved, rejected] = await Promise.all([
    raw.list(PRODUCTS.windowsCollection, { limit: CLOSED_WINDOWS }),
    raw.get(CHECKPOINTS, checkpointId(PRODUCTS.name, 0)),
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
  const checkpoint = saved?.doc.checkpoint as PartitionCheckpoint<ProductSums> | undefined;
  return {
    closed,
    open: (checkpoint?.windows ?? []).map(({ start, value }) => ({
      start: formatZoneless(start),
      end: formatZoneless(start + windowMs),
      ...value,
    })),
    watermark: checkpoint?.watermark == null ? null : formatZoneless(checkpoint.watermark),
    rejected,
  };
}
