/**
 * Revenue by month as a line. The server draws it as plain SVG; in the
 * browser chart.js takes over (axes, tooltips) and updates live.
 */

import {
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useDashboard } from "../client/dashboard_store.ts";
import { useChart, useInBrowser } from "../client/use_chart.ts";
import { formatDecimalText, formatMoney, formatMonth } from "../client/format.ts";
import { SparkLines } from "../components/SparkLines.tsx";
import type { SalesSnapshot } from "../server/dashboards.ts";

Chart.register(LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip);

/** Props: revenue by month as rendered on the server, oldest first. */
export interface SalesMonthlyProps {
  initial: SalesSnapshot["byMonth"];
}

const COLOR = "#4f46e5";

/** The live monthly revenue line. */
export default function SalesMonthly({ initial }: SalesMonthlyProps) {
  const months = useDashboard("sales", initial, (s) => s.byMonth);
  const inBrowser = useInBrowser();
  const labels = months.map((m) => formatMonth(m.month));
  const values = months.map((m) => m.revenue);
  const canvas = useChart<"line">({
    active: inBrowser && months.length > 0,
    create: (el) =>
      new Chart(el, {
        type: "line",
        data: {
          labels,
          datasets: [{
            label: "Revenue",
            data: values,
            borderColor: COLOR,
            backgroundColor: COLOR,
            tension: 0.25,
          }],
        },
        options: {
          animation: { duration: 250 },
          maintainAspectRatio: false,
          scales: {
            y: { beginAtZero: true, ticks: { callback: (v) => formatMoney(Number(v)) } },
          },
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: { label: (item) => ` Revenue: ${formatMoney(item.parsed.y ?? 0)}` },
            },
          },
        },
      }),
    update: (chart) => {
      chart.data.labels = labels;
      chart.data.datasets[0].data = values;
    },
    deps: [labels.join(","), values.join(",")],
  });

  return (
    <figure class="chart-card" data-testid="sales-monthly" data-values={values.join(",")}>
      {months.length === 0
        ? <p class="muted empty">No sales yet</p>
        : inBrowser
        ? (
          <div class="chart-canvas">
            <canvas
              ref={canvas}
              aria-label={`Revenue by month: ${
                labels.map((label, i) => `${label} ${formatMoney(values[i])}`).join(", ")
              }`}
              role="img"
            />
          </div>
        )
        : (
          <>
            <SparkLines
              series={[{ label: "Revenue", color: COLOR, values }]}
              label="Revenue by month"
              height={200}
            />
            <div class="spark-axis">
              <span>{labels[0]}</span>
              <span>
                {labels.at(-1)}: {formatDecimalText(months.at(-1)?.revenueText ?? "0")}
              </span>
            </div>
          </>
        )}
    </figure>
  );
}
