/** The sales page's reads: KPI, product, city and month figures from the aggregate store. */

import type {
  AggregateStore,
  AggregateTotal,
  DocumentQuery,
  FieldCondition,
  RawStore,
} from "../pipeline/ports.ts";
import { KEY_SEPARATOR, SALES, salesKeys } from "../pipeline/sales/sales_stream.ts";
import { countOf } from "../pipeline/aggregate_sums.ts";
import type { Rejections, SalesFigures, SalesSnapshot } from "./dashboards.ts";
import { type PageView, viewBounds } from "./page_filters.ts";
import { averageCents, centsAmount, centsText } from "./money.ts";
import { rejections } from "./rejections.ts";

/** Exact revenue and transactions of one key. */
interface ExactFigures {
  cents: bigint;
  transactions: bigint;
}

function figures({ cents, transactions }: ExactFigures): SalesFigures {
  return {
    revenueText: centsText(cents),
    revenue: centsAmount(cents),
    transactions: countOf(transactions),
  };
}

/** Figures per key, highest revenue first (compared exactly), then by key. */
function byKey(revenue: AggregateTotal[], tx: AggregateTotal[]): Array<[string, SalesFigures]> {
  const out = new Map<string, ExactFigures>();
  const at = (key: string) => out.get(key) ?? { cents: 0n, transactions: 0n };
  for (const { key, value } of revenue) out.set(key, { ...at(key), cents: value });
  for (const { key, value } of tx) out.set(key, { ...at(key), transactions: value });
  return [...out]
    .sort(([ka, a], [kb, b]) =>
      (a.cents < b.cents ? 1 : a.cents > b.cents ? -1 : 0) ||
      (ka < kb ? -1 : ka > kb ? 1 : 0)
    )
    .map(([key, exact]) => [key, figures(exact)]);
}

/** Everything the sales page shows. */
export async function salesSnapshot(aggregates: AggregateStore): Promise<SalesSnapshot> {
  const [totals, rejected] = await Promise.all([
    Promise.all(
      PAGE_DIMENSIONS.map(async (d) => [d, await aggregates.totals(SALES.name, d)] as const),
    ),
    rejections(aggregates, SALES.name),
  ]);
  return salesFromTotals(new Map(totals), rejected);
}

/** The groupings the page shows, each with a `_revenue` and a `_tx` dimension. */
const PAGE_GROUPS = ["all", "product", "city", "month"] as const;
const PAGE_DIMENSIONS = PAGE_GROUPS.flatMap((g) => [`${g}_revenue`, `${g}_tx`]);

/** The sales stored in the raw store that a view of the page shows, as a query (at `now`, ms). */
export function salesQuery(view: PageView, now: number): DocumentQuery {
  const where: FieldCondition[] = [];
  for (const field of ["product", "category", "city"] as const) {
    const value = view.filters[field];
    if (value !== undefined) where.push({ field, oneOf: [String(value)] });
  }
  return { ...viewBounds(view, now), where };
}

/**
 * The sales page narrowed to a view: the same figures, summed exactly from
 * the matching stored sales, read one at a time through the store's cursor
 * (the aggregates hold all-time totals per grouping only, so they cannot
 * answer "Laptops in Oslo last hour"). Rejected counts stay the stream's.
 */
export async function salesViewSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
  query: DocumentQuery,
): Promise<SalesSnapshot> {
  const sums = new Map<string, Map<string, bigint>>(PAGE_DIMENSIONS.map((d) => [d, new Map()]));
  const add = (dimension: string, key: string, amount: bigint) => {
    const cells = sums.get(dimension)!;
    cells.set(key, (cells.get(key) ?? 0n) + amount);
  };
  for await (const { ts, doc } of raw.find(SALES.collection, query)) {
    const keys = salesKeys({
      product: String(doc.product),
      category: String(doc.category),
      city: String(doc.city),
      country: String(doc.country),
      latitude: Number(doc.latitude),
      longitude: Number(doc.longitude),
      ts,
    });
    const cents = BigInt(Number(doc.totalCents));
    for (const group of PAGE_GROUPS) {
      add(`${group}_revenue`, keys[group], cents);
      add(`${group}_tx`, keys[group], 1n);
    }
  }
  const totals = new Map(
    [...sums].map(([d, cells]) => [d, [...cells].map(([key, value]) => ({ key, value }))] as const),
  );
  return salesFromTotals(totals, await rejections(aggregates, SALES.name));
}

/** The page's figures from the totals of each dimension of `PAGE_DIMENSIONS`. */
function salesFromTotals(
  totals: ReadonlyMap<string, AggregateTotal[]>,
  rejected: Rejections,
): SalesSnapshot {
  const [allRevenue, allTx, productRevenue, productTx, cityRevenue, cityTx, monthRevenue, monthTx] =
    PAGE_DIMENSIONS.map((d) => totals.get(d) ?? []);
  const cents = allRevenue.find((r) => r.key === "all")?.value ?? 0n;
  const transactions = allTx.find((r) => r.key === "all")?.value ?? 0n;
  const average = averageCents(cents, transactions);
  const byProduct = byKey(productRevenue, productTx).map(([key, figures]) => {
    const [product, category = ""] = key.split(KEY_SEPARATOR);
    return { product, category, ...figures };
  });
  const byCity = byKey(cityRevenue, cityTx).map(([key, figures]) => {
    const [city, country = "", lat = "0", lon = "0"] = key.split(KEY_SEPARATOR);
    return { city, country, lat: Number(lat), lon: Number(lon), ...figures };
  });
  const byMonth = byKey(monthRevenue, monthTx)
    .map(([month, figures]) => ({ month, ...figures }))
    .sort((a, b) => a.month.localeCompare(b.month));
  return {
    kpi: {
      ...figures({ cents, transactions }),
      averageTicket: centsAmount(average),
      averageTicketText: centsText(average),
    },
    byProduct,
    byCity,
    byMonth,
    rejected,
  };
}
