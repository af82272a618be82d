/**
 * The gender pie. The server renders it as a CSS conic gradient so it shows
 * before any script runs; in the browser chart.js takes over and updates live.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { ArcElement, Chart, Legend, PieController, Tooltip } from "chart.js";
import { useDashboard } from "../client/dashboard_store.ts";
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
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<"pie"> | null>(null);
  const [mounted, setMounted] = useState(false);
  const s = useDashboard("users", initial, (snapshot) => snapshot.stats);

  useEffect(() => {
    setMounted(true);
    return () => chart.current?.destroy();
  }, []);

  useEffect(() => {
    if (!mounted || !canvas.current) return;
    if (!chart.current) {
      chart.current = new Chart(canvas.current, {
        type: "pie",
        data: { labels: LABELS, datasets: [{ data: slices(s), backgroundColor: COLORS }] },
        options: {
          animation: { duration: 250 },
          plugins: { legend: { position: "bottom" } },
          maintainAspectRatio: false,
        },
      });
    } else {
      chart.current.data.datasets[0].data = slices(s);
      chart.current.update();
    }
  }, [mounted, s.male, s.female, s.other]);

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
