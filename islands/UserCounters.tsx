/** Total users and the gender counters, updated live. */

import { useDashboard } from "../client/dashboard_store.ts";
import type { UserStats } from "../server/dashboards.ts";
import { KpiValue } from "../components/KpiValue.tsx";

/** Props: the counters as rendered on the server. */
export interface UserCountersProps {
  initial: UserStats;
}

const format = (n: number) => n.toLocaleString("en-US");

/** The KPI cards of the users dashboard. */
export default function UserCounters({ initial }: UserCountersProps) {
  const s = useDashboard("users", initial, (snapshot) => snapshot.stats);
  const cards = [
    ["Total users", s.total, "total"],
    ["Male", s.male, "male"],
    ["Female", s.female, "female"],
    ["Other", s.other, "other"],
  ] as const;
  return (
    <section class="kpis" aria-label="User counters">
      {cards.map(([label, value, key]) => (
        <div class={`kpi kpi-${key}`} key={key}>
          <div class="kpi-label">{label}</div>
          <KpiValue exact={format(value)} value={value} testid={`count-${key}`} />
        </div>
      ))}
      <div class="kpi kpi-rejected" title="Records that failed validation, kept in users.dlq">
        <div class="kpi-label">Rejected to DLQ</div>
        <div class="kpi-value" data-testid="count-rejected">{format(s.rejected)}</div>
      </div>
    </section>
  );
}
