/**
 * Revenue by product as a donut. The server renders it as a CSS conic
 * gradient with a legend, so it shows before any script runs; in the browser
 * chart.js takes over and updates live.
 */

import { ArcElement, Chart, DoughnutController, Legend, Tooltip } from "chart.js";
import { useDashboard } from "../client/dashboard_store.ts";
import { useChart, useInBrowser } from "../client/use_chart.ts";
import { formatDecimalText, formatMoney } from "../client/format.ts";
import type { SalesSnapshot } from "../server/dashboards.ts";
import { PieFallback } from "../components/PieFallback.tsx";

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

/** The live donut of revenue by product. */
export default function SalesDonut({ initial }: SalesDonutProps) {
  const rows = useDashboard("sales", initial, (s) => s.byProduct);
  const inBrowser = useInBrowser();
  const labels = rows.map((r) => r.product);
  const values = rows.map((r) => r.revenue);
  const canvas = useChart<"doughnut">({
    active: inBrowser && rows.length > 0,
    create: (el) =>
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
    update: (chart) => {
      chart.data.labels = labels;
      chart.data.datasets[0].data = values;
      chart.data.datasets[0].backgroundColor = labels.map((_, i) => color(i));
    },
    deps: [labels.join("\n"), values.join(",")],
  });

  return (
    <figure class="chart-card" data-testid="sales-donut" data-values={values.join(",")}>
      {rows.length === 0
        ? <p class="muted empty">No sales yet</p>
        : inBrowser
        ? (
          <div class="chart-canvas">
            <canvas
              ref={canvas}
              aria-label={`Revenue by product: ${
                rows.map((r) => `${r.product} ${formatMoney(r.revenue)}`).join(", ")
              }`}
              role="img"
            />
          </div>
        )
        : (
          <PieFallback
            donut
            label="Revenue by product"
            slices={rows.map((row, i) => ({
              label: row.product,
              value: row.revenue,
              color: color(i),
              text: formatDecimalText(row.revenueText),
            }))}
          />
        )}
    </figure>
  );
}
