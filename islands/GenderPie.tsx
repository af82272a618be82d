/**
 * The gender pie. The server renders it as a CSS conic gradient so it shows
 * before any script runs; in the browser chart.js takes over and updates live.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { ArcElement, Chart, Legend, PieController, Tooltip } from "chart.js";
import { connectLive, stats } from "../client/live_store.ts";
import type { UserStats } from "../server/users_data.ts";

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

function gradient(values: number[]): string {
  const total = values.reduce((a, b) => a + b, 0);
  if (total === 0) return "conic-gradient(#e5e7eb 0 100%)";
  let at = 0;
  const stops = values.map((v, i) => {
    const from = at;
    at += (v / total) * 100;
    return `${COLORS[i]} ${from}% ${at}%`;
  });
  return `conic-gradient(${stops.join(", ")})`;
}

/** The live gender pie. */
export default function GenderPie({ initial }: GenderPieProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<"pie"> | null>(null);
  const [mounted, setMounted] = useState(false);
  const s = stats.value ?? initial;

  useEffect(() => {
    connectLive({ stats: initial });
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
            <canvas ref={canvas} aria-label="Gender split" role="img" />
          </div>
        )
        : (
          <div class="pie-fallback">
            <div
              class="pie"
              style={{ background: gradient(slices(s)) }}
              role="img"
              aria-label="Gender split"
            />
            <ul class="legend">
              {LABELS.map((label, i) => (
                <li key={label}>
                  <span class="swatch" style={{ background: COLORS[i] }} />
                  {label}: {slices(s)[i]}
                </li>
              ))}
            </ul>
          </div>
        )}
    </figure>
  );
}
