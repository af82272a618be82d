/**
 * Events per second of each clickstream topic: the current rates and a line
 * of the last 60 seconds. The server draws the line as plain SVG; in the
 * browser chart.js takes over and updates live.
 */

import { LineChart } from "../client/line_chart.ts";
import { useDashboard } from "../client/dashboard_store.ts";
import { useChart, useInBrowser } from "../client/use_chart.ts";
import { formatClock, formatRate } from "../client/format.ts";
import { SparkLines } from "../components/SparkLines.tsx";
import type { ClicksSnapshot, PerTopic } from "../server/dashboards.ts";

/** Props: the rates as rendered on the server. */
export interface ClickRatesProps {
  initial: Pick<ClicksSnapshot, "rates" | "rateSeries">;
}

/** The topics in display order, with their colours. */
export const TOPICS: ReadonlyArray<{ key: keyof PerTopic; label: string; color: string }> = [
  { key: "clicks", label: "Clicks", color: "#4f46e5" },
  { key: "views", label: "Views", color: "#0ea5e9" },
  { key: "ratings", label: "Ratings", color: "#f59e0b" },
];

/** The live rates card of the clickstream page. */
export default function ClickRates({ initial }: ClickRatesProps) {
  const { rates, rateSeries } = useDashboard(
    "clicks",
    initial,
    (s) => ({ rates: s.rates, rateSeries: s.rateSeries }),
  );
  const inBrowser = useInBrowser();
  const labels = rateSeries.map((p) => formatClock(p.t));
  const series = TOPICS.map((t) => ({ ...t, values: rateSeries.map((p) => p[t.key]) }));
  const canvas = useChart<"line">({
    active: inBrowser && rateSeries.length > 0,
    create: (el) =>
      new LineChart(el, {
        type: "line",
        data: {
          labels,
          datasets: series.map((s) => ({
            label: s.label,
            data: s.values,
            borderColor: s.color,
            backgroundColor: s.color,
            borderWidth: 2,
            pointRadius: 0,
            tension: 0.2,
          })),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { ticks: { maxTicksLimit: 7, maxRotation: 0 } },
            y: { beginAtZero: true, title: { display: true, text: "events/s" } },
          },
          plugins: { legend: { position: "bottom" } },
        },
      }),
    update: (chart) => {
      chart.data.labels = labels;
      series.forEach((s, i) => (chart.data.datasets[i].data = s.values));
    },
    deps: [rateSeries],
  });

  return (
    <section class="card" data-testid="clicks-rates">
      <h2>Events per second</h2>
      <div class="rates">
        {TOPICS.map((t) => (
          <div class="rate" key={t.key}>
            <span class="swatch" style={{ background: t.color }} />
            <span class="rate-label">{t.label}</span>
            <span class="rate-value" data-testid={`rate-${t.key}`}>{formatRate(rates[t.key])}</span>
            <span class="muted small">/s</span>
          </div>
        ))}
      </div>
      {rateSeries.length === 0
        ? <p class="muted empty">No events yet</p>
        : inBrowser
        ? (
          <div class="chart-canvas chart-small">
            <canvas ref={canvas} aria-label="Events per second, last minute" role="img" />
          </div>
        )
        : <SparkLines series={series} label="Events per second, last minute" height={160} />}
    </section>
  );
}
