/** The most viewed or most clicked items, as a ranked table with bars, live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount } from "../client/format.ts";
import type { ClicksSnapshot } from "../server/dashboards.ts";

/** One ranked row. */
export interface TopItem {
  item: number;
  count: number;
}

/** Props: which ranking, and its rows as rendered on the server (most first). */
export interface TopItemsProps {
  kind: "viewed" | "clicked";
  initial: TopItem[];
}

/** The ranking of `kind` from a snapshot. */
export function topItems(snapshot: ClicksSnapshot, kind: TopItemsProps["kind"]): TopItem[] {
  return kind === "viewed"
    ? snapshot.topViewed.map((r) => ({ item: r.item, count: r.views }))
    : snapshot.topClicked.map((r) => ({ item: r.item, count: r.clicks }));
}

/** A "top items" card of the clickstream page. */
export default function TopItems({ kind, initial }: TopItemsProps) {
  const rows = useDashboard("clicks", initial, (s) => topItems(s, kind));
  const max = Math.max(1, ...rows.map((r) => r.count));
  const unit = kind === "viewed" ? "Views" : "Clicks";
  return (
    <section class="card">
      <h2>Top {kind} items</h2>
      {rows.length === 0
        ? <p class="muted empty" data-testid={`top-${kind}`}>No {unit.toLowerCase()} yet</p>
        : (
          <table class="data" data-testid={`top-${kind}`}>
            <thead>
              <tr>
                <th>Item</th>
                <th class="bar-col" />
                <th class="num">{unit}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, rank) => (
                // Keyed by rank: a re-ranking rewrites cells in place instead of moving rows.
                <tr key={rank} data-item={r.item}>
                  <td>#{r.item}</td>
                  <td class="bar-col">
                    <span
                      class={`bar bar-${kind}`}
                      style={{ width: `${(r.count / max) * 100}%` }}
                    />
                  </td>
                  <td class="num">{formatCount(r.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
