/** Clickstream totals per topic and the records each topic rejected, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount } from "../client/format.ts";
import type { ClicksSnapshot } from "../server/dashboards.ts";
import { KpiValue } from "../components/KpiValue.tsx";

/** Props: the counters as rendered on the server. */
export interface ClickTotalsProps {
  initial: Pick<ClicksSnapshot, "totals" | "rejected">;
}

const TOPICS = [["clicks", "Clicks"], ["views", "Views"], ["ratings", "Ratings"]] as const;

/** The KPI row of the clickstream page. */
export default function ClickTotals({ initial }: ClickTotalsProps) {
  const { totals, rejected } = useDashboard(
    "clicks",
    initial,
    (s) => ({ totals: s.totals, rejected: s.rejected }),
  );
  const invalid = TOPICS.reduce((sum, [key]) => sum + rejected[key].invalid, 0);
  const late = TOPICS.reduce((sum, [key]) => sum + rejected[key].late, 0);
  const errors = TOPICS.reduce((sum, [key]) => sum + rejected[key].processingError, 0);
  return (
    <section class="kpis" aria-label="Clickstream totals">
      {TOPICS.map(([key, label]) => (
        <div class={`kpi kpi-${key}`} key={key}>
          <div class="kpi-label">{label}</div>
          <KpiValue exact={formatCount(totals[key])} value={totals[key]} testid={`total-${key}`} />
        </div>
      ))}
      <div
        class="kpi kpi-rejected"
        data-testid="clicks-rejected"
        title="Records that failed validation or came later than the watermark, kept in each topic's DLQ"
      >
        <div class="kpi-label">Rejected: invalid / late</div>
        <div class="kpi-value">
          <span data-testid="clicks-rejected-invalid">{formatCount(invalid)}</span>
          {" / "}
          <span data-testid="clicks-rejected-late">{formatCount(late)}</span>
        </div>
        {errors > 0 && (
          <div class="muted small" data-testid="clicks-processing-errors">
            {formatCount(errors)} processing error(s): a bug, see the server log
          </div>
        )}
        <div class="muted small rejected-detail">
          {TOPICS.map(([key, label]) => (
            <span key={key} data-testid={`rejected-${key}`}>
              {label} {formatCount(rejected[key].invalid)} / {formatCount(rejected[key].late)}
            </span>
          ))}
        </div>
      </div>
    </section>
  );
}
