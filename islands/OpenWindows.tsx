/** The products job's open windows with their running sums, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount, formatDecimalText } from "../client/format.ts";
import type { ProductsSnapshot } from "../server/dashboards.ts";

/** Props: the open windows as rendered on the server, oldest first. */
export interface OpenWindowsProps {
  initial: ProductsSnapshot["open"];
}

/** The "open windows" card of the products page. */
export default function OpenWindows({ initial }: OpenWindowsProps) {
  const windows = useDashboard("products", initial, (s) => s.open);
  return (
    <section class="card">
      <h2>Open windows</h2>
      {windows.length === 0
        ? <p class="muted empty" data-testid="products-open">No open window</p>
        : (
          <table class="data" data-testid="products-open">
            <thead>
              <tr>
                <th>Start (UTC)</th>
                <th>End (UTC)</th>
                <th class="num">Records</th>
                <th class="num">Sum of price</th>
                <th class="num">Sum of total</th>
              </tr>
            </thead>
            <tbody>
              {windows.map((w) => (
                <tr key={w.start} data-start={w.start}>
                  <td>{w.start}</td>
                  <td>{w.end}</td>
                  <td class="num">{formatCount(w.records)}</td>
                  <td class="num">{formatDecimalText(w.sumPrice)}</td>
                  <td class="num">{formatDecimalText(w.sumTotal)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
