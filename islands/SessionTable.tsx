/** Clickstream sessions per device: how many, how long and how many events on average, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount, formatDuration, formatRate } from "../client/format.ts";
import type { ClicksSnapshot } from "../server/dashboards.ts";

/** Props: the figures per device as rendered on the server. */
export interface SessionTableProps {
  initial: ClicksSnapshot["sessions"];
}

const ROWS = [
  ["mobile", "Mobile"],
  ["desktop", "Desktop"],
  ["tablet", "Tablet"],
  ["none", "Clicks only"],
] as const;

/** The sessions card of the clickstream page. */
export default function SessionTable({ initial }: SessionTableProps) {
  const sessions = useDashboard("clicks", initial, (s) => s.sessions);
  const total = ROWS.reduce((sum, [key]) => sum + sessions[key].sessions, 0);
  return (
    <section class="card">
      <h2>Sessions by device</h2>
      {total === 0 && <p class="muted empty">No session has ended yet</p>}
      <table class="data" data-testid="sessions-table">
        <thead>
          <tr>
            <th>Device</th>
            <th class="num">Sessions</th>
            <th class="num">Mean duration</th>
            <th class="num">Events / session</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map(([key, label]) => (
            <tr key={key} data-device={key}>
              <td>{label}</td>
              <td class="num" data-testid={`sessions-${key}`}>
                {formatCount(sessions[key].sessions)}
              </td>
              <td class="num">{formatDuration(sessions[key].meanDurationMs)}</td>
              <td class="num">{formatRate(sessions[key].eventsPerSession)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
