/**
 * The figure of a KPI card: exact when it fits the card, else compact
 * (`1.2M`) with the exact figure in its title (shown on hover) and in
 * `data-exact`, so a long revenue never spills out of its card.
 */

import { kpiText } from "../client/format.ts";

/** Props: the figure's exact text and value, and its test id. */
export interface KpiValueProps {
  exact: string;
  value: number;
  testid: string;
}

/** A KPI card's figure, compact when long. */
export function KpiValue({ exact, value, testid }: KpiValueProps) {
  const { shown, compact } = kpiText(exact, value);
  return (
    <div
      class="kpi-value"
      data-testid={testid}
      data-exact={exact}
      title={compact ? exact : undefined}
    >
      {shown}
    </div>
  );
}
