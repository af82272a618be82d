/** The sales KPI cards: revenue, transactions, average ticket and the rejected records, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount, formatDecimalText } from "../client/format.ts";
import type { SalesSnapshot } from "../server/dashboards.ts";
import { KpiValue } from "../components/KpiValue.tsx";

/** Props: the figures as rendered on the server. */
export interface SalesKpisProps {
  initial: Pick<SalesSnapshot, "kpi" | "rejected">;
}

/** The KPI row of the sales page. */
export default function SalesKpis({ initial }: SalesKpisProps) {
  const { kpi, rejected } = useDashboard(
    "sales",
    initial,
    (s) => ({ kpi: s.kpi, rejected: s.rejected }),
  );
  const cards = [
    ["Revenue", formatDecimalText(kpi.revenueText), Number(kpi.revenueText), "revenue"],
    ["Transactions", formatCount(kpi.transactions), kpi.transactions, "transactions"],
    [
      "Average ticket",
      formatDecimalText(kpi.averageTicketText),
      Number(kpi.averageTicketText),
      "average-ticket",
    ],
  ] as const;
  return (
    <section class="kpis" aria-label="Sales figures">
      {cards.map(([label, exact, value, key]) => (
        <div class={`kpi kpi-${key}`} key={key}>
          <div class="kpi-label">{label}</div>
          <KpiValue exact={exact} value={value} testid={`kpi-${key}`} />
        </div>
      ))}
      <div class="kpi kpi-rejected" title="Sales that failed validation, kept in sales.dlq">
        <div class="kpi-label">Rejected: invalid</div>
        <div class="kpi-value" data-testid="kpi-rejected-invalid">
          {formatCount(rejected.invalid)}
        </div>
      </div>
      <div class="kpi kpi-rejected" title="Sales later than the watermark, kept in sales.dlq">
        <div class="kpi-label">Rejected: late</div>
        <div class="kpi-value" data-testid="kpi-rejected-late">{formatCount(rejected.late)}</div>
      </div>
      <div
        class="kpi kpi-rejected"
        title="Sales whose id an earlier sale already carried (a resend), kept in sales.dlq and counted once"
      >
        <div class="kpi-label">Rejected: duplicate</div>
        <div class="kpi-value" data-testid="kpi-rejected-duplicate">
          {formatCount(rejected.duplicate)}
        </div>
      </div>
      {rejected.processingError > 0 && (
        <div
          class="kpi kpi-rejected"
          title="Sales that made StreamBoard's code throw (a bug: see the server log), kept in sales.dlq"
        >
          <div class="kpi-label">Processing errors</div>
          <div class="kpi-value" data-testid="kpi-processing-errors">
            {formatCount(rejected.processingError)}
          </div>
        </div>
      )}
    </section>
  );
}
