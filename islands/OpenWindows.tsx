/** The products job's open windows with their running sums, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { WindowTable } from "../components/WindowTable.tsx";
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
        : <WindowTable windows={windows} testId="products-open" />}
    </section>
  );
}
