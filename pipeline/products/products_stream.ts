/**
 * The products VAT job: every record's exact total, in two-minute event-time
 * tumbling windows; when a window closes, one CSV file for it under
 * `<data dir>/csv/` and a summary document the dashboard lists.
 *
 * The topic has one partition: a window's file holds every record of the
 * window, which takes one writer (Flink runs a non-keyed window at
 * parallelism 1 for the same reason). Records are stored as raw documents as
 * they come, so the file is built from the store at close and the window
 * state in the checkpoint stays a few sums.
 */

import type { Config } from "../../config.ts";
import type { BrokerRecord, JsonObject, RawStore, StoredDocument } from "../ports.ts";
import type { StreamDefinition } from "../processor.ts";
import { decodeJson } from "../validation.ts";
import { formatZoneless } from "../windowing/event_time.ts";
import { type PartitionCheckpoint, tumbling, type WindowResult } from "../windowing/windows.ts";
import {
  addProduct,
  noProducts,
  type PricedProduct,
  type ProductSums,
  validateProduct,
} from "./products.ts";
import { productCsvRow, replaceAtomically, windowCsv, windowFileName } from "./window_csv.ts";

/** Topics and collections of the products stream. */
export const PRODUCTS = {
  name: "products",
  topic: "products",
  dlqTopic: "products.dlq",
  liveTopic: "products.live",
  collection: "products",
  /** Summaries of closed windows, one document per window and partition. */
  windowsCollection: "product_windows",
  group: "streamboard-products",
  partitions: 1,
} as const;

/** Directory of the window files. */
export function csvDir(dataDir: string): string {
  return `${dataDir}/csv`;
}

/** Id of a stored product: its source position, since product ids repeat. */
export function productDocumentId(record: BrokerRecord): string {
  return `${record.partition}-${String(record.offset).padStart(15, "0")}`;
}

/**
 * Writes the file and the summary of each fired window, replacing what an
 * earlier firing of the window wrote (a re-fire within allowed lateness, or
 * the same firing again after a crash).
 */
export async function closeProductWindows(
  { raw, dataDir, partition, closed }: {
    raw: RawStore;
    /** Data directory whose `csv/` holds the window files. */
    dataDir: string;
    partition: number;
    /** The windows that fired. */
    closed: WindowResult<ProductSums>[];
  },
): Promise<void> {
  for (const window of closed) {
    const docs = (await raw.between(PRODUCTS.collection, window.start, window.end))
      .filter((d) => d.doc.partition === partition)
      .sort((a, b) => Number(a.doc.offset) - Number(b.doc.offset));
    const end = formatZoneless(window.end);
    const file = windowFileName(window.start, window.end, partition);
    await replaceAtomically(
      csvDir(dataDir),
      file,
      windowCsv(docs.map((d) => productCsvRow(d, end))),
    );
    const summary: StoredDocument = {
      id: `${window.start}-${partition}`,
      ts: window.start,
      doc: {
        start: formatZoneless(window.start),
        end,
        partition,
        file,
        // The sums of the rows in the file: exact even when the window's state was lost
        // (a re-fire of a window whose checkpoint, from an earlier version, kept no fired windows).
        ...docs.reduce(
          (sums, d) => addProduct(sums, { price: String(d.doc.price), total: String(d.doc.total) }),
          noProducts(),
        ),
      },
    };
    await raw.upsert(PRODUCTS.windowsCollection, [summary]);
  }
}

/** A products window still open, with its running sums; bounds zone-less UTC. */
export interface OpenProductWindow extends ProductSums {
  start: string;
  end: string;
}

/** What the products page shows of a partition's window state (its read model). */
export interface ProductsReadModel {
  /** Windows still open, oldest first. */
  open: OpenProductWindow[];
  /** Event-time watermark, zone-less UTC; `null` before the first record. */
  watermark: string | null;
}

/** The read model of a partition's window state, windows `sizeMs` long. */
export function productsReadModel(
  state: PartitionCheckpoint<ProductSums>,
  sizeMs: number,
): ProductsReadModel {
  return {
    open: state.windows.map(({ start, value }) => ({
      start: formatZoneless(start),
      end: formatZoneless(start + sizeMs),
      ...value,
    })),
    watermark: state.watermark === null ? null : formatZoneless(state.watermark),
  };
}

/** The products stream of a configuration, closing windows into `raw` and `<dataDir>/csv/`. */
export function productsStream(
  config: Config,
  raw: RawStore,
): StreamDefinition<PricedProduct, ProductSums> {
  const spec = tumbling(config.streams.products.windowMs, {
    outOfOrdernessMs: config.streams.outOfOrdernessMs.products,
    allowedLatenessMs: config.streams.allowedLatenessMs.products,
    idleTimeoutMs: config.processor.idleTimeoutMs,
    maxFutureMs: config.streams.maxFutureMs.products,
  });
  return {
    ...PRODUCTS,
    parse: (record) => validateProduct(decodeJson(record.value)),
    document: (p, record) => {
      const start = Math.floor(p.ts / spec.sizeMs) * spec.sizeMs;
      const doc: JsonObject = {
        id: p.id,
        product: p.product,
        description: p.description,
        price: p.price,
        kdv: p.kdv,
        total: p.total,
        timestamp_column: p.timestamp,
        window_end: formatZoneless(start + spec.sizeMs),
        partition: record.partition,
        offset: record.offset,
      };
      return { id: productDocumentId(record), ts: p.ts, doc };
    },
    contributions: () => [],
    live: (p) => ({ id: p.id, product: p.product, total: p.total, timestamp: p.timestamp }),
    windows: {
      spec,
      eventTime: (p) => p.ts,
      timeField: "timestamp_column",
      aggregation: { empty: noProducts, add: addProduct },
      onClose: (partition, closed) =>
        closeProductWindows({ raw, dataDir: config.stores.dataDir, partition, closed }),
      readModel: (state) => productsReadModel(state, spec.sizeMs) as unknown as JsonObject,
    },
  };
}
