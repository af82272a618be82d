/** Sales by product as a table (product, category, transactions, revenue), live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount, formatDecimalText } from "../client/format.ts";
import type { SalesSnapshot } from "../server/dashboards.ts";

/** Props: the rows as rendered on the server, highest revenue first. */
export interface SalesTableProps {
  initial: SalesSnapshot["byProduct"];
}

/** The "by product" table of the sales page. */
export default function SalesTable({ initial }: SalesTableProps) {
  const rows = useDashboard("sales", initial, (s) => s.byProduct);
  if (rows.length === 0) {
    return <p class="muted empty" data-testid="sales-table">No sales yet</p>;
  }
  return (
    <table class="data" data-testid="sales-table">
      <thead>
        <tr>
          <th>Product</th>
          <th>Category</th>
          <th class="num">Transactions</th>
          <th class="num">Revenue</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, rank) => (
          // Keyed by rank: a re-ranking rewrites cells in place instead of moving rows.
          <tr key={rank} data-product={row.product}>
            <td>{row.product}</td>
            <td>{row.category}</td>
            <td class="num">{formatCount(row.transactions)}</td>
            <td class="num">{formatDecimalText(row.revenueText)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
