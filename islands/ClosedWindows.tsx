/** The products job's latest closed windows, each with its CSV file, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { WindowTable } from "../components/WindowTable.tsx";
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
          <WindowTable
            windows={windows}
            testId="products-closed"
            extra={{
              head: "CSV",
              cell: (w) => (
                <a class="csv-link" href={w.url} download={w.file} data-testid="window-csv">
                  {w.file}
                </a>
              ),
            }}
          />
        )}
    </section>
  );
}
