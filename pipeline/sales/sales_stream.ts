/**
 * The sales stream: revenue (exact cents) and transaction counts overall and
 * per product, city, day and month, as all-time aggregate cells; a sale of
 * any past time counts (the global window never fires, so no sale is late),
 * one too far ahead of the clock is refused. A sale id seen
 * before (within the deduplication horizon) is dead-lettered as `duplicate`.
 */

import type { Config } from "../../config.ts";
import type { CellContribution, StreamDefinition } from "../processor.ts";
import { decodeJson } from "../validation.ts";
import { utcDay, utcMonth } from "../windowing/event_time.ts";
import { globalWindow, NOTHING } from "../windowing/windows.ts";
import { byEventId } from "../dedup.ts";
import { type Sale, validateSale } from "./sales.ts";

/** Topics and collection of the sales stream. */
export const SALES = {
  name: "sales",
  topic: "sales",
  dlqTopic: "sales.dlq",
  liveTopic: "sales.live",
  collection: "sales",
  group: "streamboard-sales",
} as const;

/** Separates the parts of a composite aggregate key (product and category, city and place). */
export const KEY_SEPARATOR = "\u001f";

/** The groupings sales are summed by; each has a `<name>_revenue` and a `<name>_tx` dimension. */
export const SALES_GROUPS = ["all", "product", "city", "day", "month"] as const;

/** One of `SALES_GROUPS`. */
export type SalesGroup = typeof SALES_GROUPS[number];

/** The key of a sale in each grouping. */
export function salesKeys(
  sale: Pick<Sale, "product" | "category" | "city" | "country" | "latitude" | "longitude" | "ts">,
): Record<SalesGroup, string> {
  return {
    all: "all",
    product: [sale.product, sale.category].join(KEY_SEPARATOR),
    city: [sale.city, sale.country, sale.latitude, sale.longitude].join(KEY_SEPARATOR),
    day: utcDay(sale.ts),
    month: utcMonth(sale.ts),
  };
}

/** The sales stream of a configuration. */
export function salesStream(config: Config): StreamDefinition<Sale, null> {
  return {
    ...SALES,
    parse: (record) => validateSale(decodeJson(record.value)),
    document: (sale) => ({
      id: sale.id,
      ts: sale.ts,
      doc: {
        product: sale.product,
        category: sale.category,
        quantity: sale.quantity,
        unitPrice: sale.unitPrice,
        totalCents: sale.totalCents,
        paymentMethod: sale.paymentMethod,
        city: sale.city,
        country: sale.country,
        latitude: sale.latitude,
        longitude: sale.longitude,
      },
    }),
    contributions: (sale) => {
      const keys = salesKeys(sale);
      return SALES_GROUPS.flatMap((group): CellContribution[] => [
        {
          dimension: `${group}_revenue`,
          key: keys[group],
          amount: sale.totalCents,
        },
        { dimension: `${group}_tx`, key: keys[group], amount: 1 },
      ]);
    },
    live: (sale) => ({
      id: sale.id,
      product: sale.product,
      city: sale.city,
      totalCents: sale.totalCents,
      ts: sale.ts,
    }),
    // Ids are kept exactly as sent: two ids that differ only in case are two sales.
    dedup: byEventId((sale) => sale.id, config.stores),
    windows: {
      spec: globalWindow({
        outOfOrdernessMs: config.streams.outOfOrdernessMs.sales,
        allowedLatenessMs: config.streams.allowedLatenessMs.sales,
        idleTimeoutMs: config.processor.idleTimeoutMs,
        maxFutureMs: config.streams.maxFutureMs.sales,
      }),
      eventTime: (sale) => sale.ts,
      timeField: "timestamp",
      aggregation: NOTHING,
    },
  };
}
