/** The sales page's reads: KPI, product, city and month figures from the aggregate store. */

import type { AggregateStore, AggregateTotal } from "../pipeline/ports.ts";
import { KEY_SEPARATOR, SALES } from "../pipeline/sales/sales_stream.ts";
import { countOf } from "../pipeline/aggregate_sums.ts";
import type { SalesFigures, SalesSnapshot } from "./dashboards.ts";
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
  const totals = (dimension: string) => aggregates.totals(SALES.name, dimension);
  const [allRevenue, allTx, productRevenue, productTx, cityRevenue, cityTx, monthRevenue, monthTx] =
    await Promise.all(
      ["all", "product", "city", "month"].flatMap((
        g,
      ) => [totals(`${g}_revenue`), totals(`${g}_tx`)]),
    );
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
    rejected: await rejections(aggregates, SALES.name),
  };
}
