/** Average rating per item (the most rated items), live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount, formatRating } from "../client/format.ts";
import type { ClicksSnapshot } from "../server/dashboards.ts";

/** Props: the rows as rendered on the server, most rated first. */
export interface RatingsTableProps {
  initial: ClicksSnapshot["ratings"];
}

/** The ratings card of the clickstream page. */
export default function RatingsTable({ initial }: RatingsTableProps) {
  const rows = useDashboard("clicks", initial, (s) => s.ratings);
  return (
    <section class="card">
      <h2>Average rating per item</h2>
      {rows.length === 0
        ? <p class="muted empty" data-testid="ratings-table">No ratings yet</p>
        : (
          <table class="data" data-testid="ratings-table">
            <thead>
              <tr>
                <th>Item</th>
                <th class="bar-col" />
                <th class="num">Average (1-5)</th>
                <th class="num">Ratings</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, rank) => (
                // Keyed by rank: a re-ranking rewrites cells in place instead of moving rows.
                <tr key={rank} data-item={r.item}>
                  <td>#{r.item}</td>
                  <td class="bar-col">
                    <span class="bar bar-rating" style={{ width: `${(r.average / 5) * 100}%` }} />
                  </td>
                  <td class="num">{formatRating(r.average)}</td>
                  <td class="num">{formatCount(r.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
