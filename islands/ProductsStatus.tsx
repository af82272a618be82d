/** The products job's progress: watermark, window counts and rejected records, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount } from "../client/format.ts";
import type { ProductsSnapshot } from "../server/dashboards.ts";

/** Props: the status as rendered on the server. */
export interface ProductsStatusProps {
  initial: Pick<ProductsSnapshot, "watermark" | "rejected"> & { open: number; closed: number };
}

/** `2025-02-16 07:29:10` as the date above the time, so it fits a KPI card. */
function Watermark({ value }: { value: string | null }) {
  if (value === null) return <span class="kpi-text">none yet</span>;
  const [date, time] = value.split(" ");
  if (!time) return <span class="kpi-text">{value}</span>;
  return (
    <>
      <span class="watermark-date">{date}</span> <span>{time}</span>
    </>
  );
}

/** The KPI row of the products page. */
export default function ProductsStatus({ initial }: ProductsStatusProps) {
  const s = useDashboard("products", initial, (snapshot) => ({
    watermark: snapshot.watermark,
    rejected: snapshot.rejected,
    open: snapshot.open.length,
    closed: snapshot.closed.length,
  }));
  return (
    <section class="kpis" aria-label="Products job">
      <div class="kpi kpi-watermark" title="Highest event time seen minus the allowed lateness">
        <div class="kpi-label">Watermark (UTC)</div>
        <div class="kpi-value" data-testid="products-watermark">
          <Watermark value={s.watermark} />
        </div>
      </div>
      <div class="kpi">
        <div class="kpi-label">Open windows</div>
        <div class="kpi-value" data-testid="products-open-count">{formatCount(s.open)}</div>
      </div>
      <div class="kpi">
        <div class="kpi-label">Closed windows shown</div>
        <div class="kpi-value" data-testid="products-closed-count">{formatCount(s.closed)}</div>
      </div>
      <div class="kpi kpi-rejected" title="Products that failed validation, kept in products.dlq">
        <div class="kpi-label">Rejected: invalid</div>
        <div class="kpi-value" data-testid="products-rejected-invalid">
          {formatCount(s.rejected.invalid)}
        </div>
      </div>
      <div class="kpi kpi-rejected" title="Products later than the watermark, kept in products.dlq">
        <div class="kpi-label">Rejected: late</div>
        <div class="kpi-value" data-testid="products-rejected-late">
          {formatCount(s.rejected.late)}
        </div>
      </div>
      {s.rejected.processingError > 0 && (
        <div
          class="kpi kpi-rejected"
          title="Products that made StreamBoard's code throw (a bug: see the server log), kept in products.dlq"
        >
          <div class="kpi-label">Processing errors</div>
          <div class="kpi-value" data-testid="products-processing-errors">
            {formatCount(s.rejected.processingError)}
          </div>
        </div>
      )}
    </section>
  );
}
