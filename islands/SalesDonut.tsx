/**
 * Revenue by product as a donut. The server renders it as a CSS conic
 * gradient with a legend, so it shows before any script runs; in the browser
 * chart.js takes over and updates live.
 */

import { ArcElement, Chart, DoughnutController, Legend, Tooltip } from "chart.js";
import { useDashboard } from "../client/dashboard_store.ts";
import { useChart, useInBrowser } from "../client/use_chart.ts";
import { formatMoney } from "../client/format.ts";
import type { SalesSnapshot } from "../server/dashboards.ts";

Chart.register(DoughnutController, ArcElement, Legend, Tooltip);

/** Props: revenue by product as rendered on the server. */
export interface SalesDonutProps {
  initial: SalesSnapshot["byProduct"];
}

/** Colours of the slices, in order; repeated past the tenth product. */
export const PRODUCT_COLORS = [
  "#4f46e5",
  "#0ea5e9",
  "#10b981",
  "#f59e0b",
  "#ec4899",
  "#8b5cf6",
  "#14b8a6",
  "#ef4444",
  "#84cc16",
  "#64748b",
];

const color = (i: number) => PRODUCT_COLORS[i % PRODUCT_COLORS.length];

function gradient(values: number[]): string {
  const total = values.reduce((a, b) => a + b, 0);
  if (total === 0) return "conic-gradient(#e5e7eb 0 100%)";
  let at = 0;
  const stops = values.map((v, i) => {
    const from = at;
    at += (v / total) * 100;
    return `${color(i)} ${from}% ${at}%`;
  });
  return `radial-gradient(var(--card) 0 55%, transparent 56%), conic-gradient(${stops.join(", ")})`;
}

/** The live donut of revenue by product. */
export default function SalesDonut({ initial }: SalesDonutProps) {
  const rows = useDashboard("sales", initial, (s) => s.byProduct);
  const inBrowser = useInBrowser();
  const labels = rows.map((r) => r.product);
  const values = rows.map((r) => r.revenue);
  const canvas = useChart<"doughnut">(
    inBrowser && rows.length > 0,
    (el) =>
      new Chart(el, {
        type: "doughnut",
        data: {
          labels,
          datasets: [{ data: values, backgroundColor: labels.map((_, i) => color(i)) }],
        },
        options: {
          animation: { duration: 250 },
          maintainAspectRatio: false,
          plugins: {
            legend: { position: "right" },
            tooltip: {
              callbacks: { label: (item) => ` ${item.label}: ${formatMoney(item.parsed)}` },
            },
          },
        },
      }),
    (chart) => {
      chart.data.labels = labels;
      chart.data.datasets[0].data = values;
      chart.data.datasets[0].backgroundColor = labels.map((_, i) => color(i));
    },
    [labels.join("\n"), values.join(",")],
  );

  return (
    <figure class="chart-card" data-testid="sales-donut" data-values={values.join(",")}>
      {rows.length === 0
        ? <p class="muted empty">No sales yet</p>
        : inBrowser
        ? (
          <div class="chart-canvas">
            <canvas ref={canvas} aria-label="Revenue by product" role="img" />
          </div>
        )
        : (
          <div class="pie-fallback">
            <div
              class="pie"
              style={{ background: gradient(values) }}
              role="img"
              aria-label="Revenue by product"
            />
            <ul class="legend">
              {rows.map((row, i) => (
                <li key={row.product}>
                  <span class="swatch" style={{ background: color(i) }} />
                  {row.product}: {formatMoney(row.revenue)}
                </li>
              ))}
            </ul>
          </div>
        )}
    </figure>
  );
}
