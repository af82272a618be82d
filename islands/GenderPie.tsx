/**
 * The gender pie. The server renders it as a CSS conic gradient so it shows
 * before any script runs; in the browser chart.js takes over and updates live,
 * redrawn without animation on each update (see `useChart`).
 */

import { ArcElement, Chart, Legend, PieController, Tooltip } from "chart.js";
import { useDashboard } from "../client/dashboard_store.ts";
import { useChart, useInBrowser } from "../client/use_chart.ts";
import type { UserStats } from "../server/dashboards.ts";
import { PieFallback } from "../components/PieFallback.tsx";

Chart.register(PieController, ArcElement, Legend, Tooltip);

/** Props: the counters as rendered on the server. */
export interface GenderPieProps {
  initial: UserStats;
}

const LABELS = ["Male", "Female", "Other"];
const COLORS = ["#3b82f6", "#ec4899", "#a3a3a3"];

function slices(s: UserStats): number[] {
  return [s.male, s.female, s.other];
}

/** The live gender pie. */
export default function GenderPie({ initial }: GenderPieProps) {
  const s = useDashboard("users", initial, (snapshot) => snapshot.stats);
  const mounted = useInBrowser();
  const canvas = useChart<"pie">({
    active: mounted,
    create: (el) =>
      new Chart(el, {
        type: "pie",
        data: { labels: LABELS, datasets: [{ data: slices(s), backgroundColor: COLORS }] },
        options: {
          animation: { duration: 250 },
          plugins: { legend: { position: "bottom" } },
          maintainAspectRatio: false,
        },
      }),
    update: (chart) => {
      chart.data.datasets[0].data = slices(s);
    },
    deps: [s.male, s.female, s.other],
  });

  return (
    <figure class="pie-card" data-testid="gender-pie" data-values={slices(s).join(",")}>
      {mounted
        ? (
          <div class="pie-canvas">
            <canvas
              ref={canvas}
              aria-label={`Gender split: male ${s.male}, female ${s.female}, other ${s.other}`}
              role="img"
            />
          </div>
        )
        : (
          <PieFallback
            label="Gender split"
            slices={LABELS.map((label, i) => ({
              label,
              value: slices(s)[i],
              color: COLORS[i],
              text: String(slices(s)[i]),
            }))}
          />
        )}
    </figure>
  );
}
