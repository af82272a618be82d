/** The products job's latest closed windows, each with its CSV file, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount, formatDecimalText } from "../client/format.ts";
import type { ProductsSnapshot } from "../server/dashboards.ts";

/** Props: the closed windows as rendered on the server, newest first. */
export interface ClosedWindowsProps {
  initial: ProductsSnapshot["closed"];
}

/** The "closed windows" card of the products page. */
export default function ClosedWindows({ initial }: ClosedWindowsProps) {
  const windows = useDashboard("products", initial, (s) => s.closed);
  return (
    <section class="card">
      <h2>Latest closed windows</h2>
      {windows.length === 0
        ? <p class="muted empty" data-testid="products-closed">No closed window yet</p>
        : (
          <table class="data" data-testid="products-closed">
            <thead>
              <tr>
                <th>Start (UTC)</th>
                <th>End (UTC)</th>
                <th class="num">Records</th>
                <th class="num">Sum of price</th>
                <th class="num">Sum of total</th>
                <th>CSV</th>
              </tr>
            </thead>
            <tbody>
              {windows.map((w) => (
                <tr key={w.file} data-start={w.start}>
                  <td>{w.start}</td>
                  <td>{w.end}</td>
                  <td class="num">{formatCount(w.records)}</td>
                  <td class="num">{formatDecimalText(w.sumPrice)}</td>
                  <td class="num">{formatDecimalText(w.sumTotal)}</td>
                  <td>
                    <a class="csv-link" href={w.url} download={w.file} data-testid="window-csv">
                      {w.file}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
