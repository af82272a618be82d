/** The sales page's reads: KPI, product, city and month figures from the aggregate store. */

import type { AggregateStore, AggregateTotal } from "../pipeline/ports.ts";
import { KEY_SEPARATOR, SALES } from "../pipeline/sales/sales_stream.ts";
import type { SalesFigures, SalesSnapshot } from "./dashboards.ts";
import { rejections } from "./rejections.ts";

function money(cents: number): number {
  return Math.round(cents) / 100;
}

function byKey(revenue: AggregateTotal[], tx: AggregateTotal[]): Map<string, SalesFigures> {
  const out = new Map<string, SalesFigures>();
  for (const { key, value } of revenue) out.set(key, { revenue: money(value), transactions: 0 });
  for (const { key, value } of tx) {
    out.set(key, { revenue: out.get(key)?.revenue ?? 0, transactions: value });
  }
  return out;
}

const byRevenue = (a: SalesFigures, b: SalesFigures) => b.revenue - a.revenue;

/** Everything the sales page shows. */
export async function salesSnapshot(aggregates: AggregateStore): Promise<SalesSnapshot> {
  const totals = (dimension: string) => aggregates.totals(SALES.name, dimension);
  const [allRevenue, allTx, productRevenue, productTx, cityRevenue, cityTx, monthRevenue, monthTx] =
    await Promise.all(
      ["all", "product", "city", "month"].flatMap((
        g,
      ) => [totals(`${g}_revenue`), totals(`${g}_tx`)]),
    );
  const all = byKey(allRevenue, allTx).get("all") ?? { revenue: 0, transactions: 0 };
  const cents = allRevenue.find((r) => r.key === "all")?.value ?? 0;
  const byProduct = [...byKey(productRevenue, productTx)].map(([key, figures]) => {
    const [product, category = ""] = key.split(KEY_SEPARATOR);
    return { product, category, ...figures };
  }).sort(byRevenue);
  const byCity = [...byKey(cityRevenue, cityTx)].map(([key, figures]) => {
    const [city, country = "", lat = "0", lon = "0"] = key.split(KEY_SEPARATOR);
    return { city, country, lat: Number(lat), lon: Number(lon), ...figures };
  }).sort(byRevenue);
  const byMonth = [...byKey(monthRevenue, monthTx)]
    .map(([month, figures]) => ({ month, ...figures }))
    .sort((a, b) => a.month.localeCompare(b.month));
  return {
    kpi: {
      ...all,
      averageTicket: all.transactions === 0 ? 0 : money(Math.round(cents / all.transactions)),
    },
    byProduct,
    byCity,
    byMonth,
    rejected: await rejections(aggregates, SALES.name),
  };
}
