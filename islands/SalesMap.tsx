/**
 * Where sales happen: a world map with a bubble per city sized by revenue.
 * Works offline: the country shapes are world-atlas's `countries-110m`
 * TopoJSON served by our own server (`static/geo/`), drawn by
 * chartjs-chart-geo; no tile server. The server renders the bubbles on a
 * plain longitude/latitude grid (SVG) so they show before any script runs.
 */

import { Chart, PointElement, Tooltip } from "chart.js";
import {
  BubbleMapController,
  type Feature,
  GeoFeature,
  type IBubbleMapDataPoint,
  type IProjectionScaleOptions,
  ProjectionScale,
  SizeScale,
  topojson,
} from "chartjs-chart-geo";
import { useEffect, useState } from "preact/hooks";
import { useDashboard } from "../client/dashboard_store.ts";
import { useChart, useInBrowser } from "../client/use_chart.ts";
import { formatDecimalText, formatMoney } from "../client/format.ts";
import type { SalesSnapshot } from "../server/dashboards.ts";

/**
 * chartjs-chart-geo's projection scale, keeping the outline's bounds from one
 * update to the next. The original forgets them in `init`, which chart.js
 * calls on every update, so each live update measured the whole world twice
 * and redrew the country shapes: about 120 ms of script per update. Both are
 * redone only when the projection, the outline or the chart's size changes.
 */
class SteadyProjectionScale extends ProjectionScale {
  #projection: unknown;
  #outline: unknown;

  /** The fields the original keeps private: what it measured and the size it fitted. */
  get #fitted(): { outlineBounds: unknown; oldChartBounds: unknown } {
    return this as unknown as { outlineBounds: unknown; oldChartBounds: unknown };
  }

  override init(options: IProjectionScaleOptions): void {
    const { outlineBounds, oldChartBounds } = this.#fitted;
    super.init(options);
    if (options.projection === this.#projection) {
      Object.assign(this.#fitted, { outlineBounds, oldChartBounds });
    } else {
      this.#projection = options.projection;
      this.#outline = undefined;
    }
  }

  override computeBounds(outline: object): void {
    const shapes = "features" in outline ? outline.features : outline;
    if (shapes === this.#outline && this.#fitted.outlineBounds) return;
    super.computeBounds(outline as Parameters<ProjectionScale["computeBounds"]>[0]);
    this.#outline = shapes;
  }
}

// chart.js registers a subclass under its parent's id unless it has its own; the typings fix `id`.
Object.defineProperty(SteadyProjectionScale, "id", { value: "steadyProjection" });

declare module "chart.js" {
  interface ProjectionScaleTypeRegistry {
    steadyProjection: { options: IProjectionScaleOptions & { axis: "x" | "y" } };
  }
}

Chart.register(
  BubbleMapController,
  GeoFeature,
  SteadyProjectionScale,
  SizeScale,
  PointElement,
  Tooltip,
);

/** Props: sales by city as rendered on the server, highest revenue first. */
export interface SalesMapProps {
  initial: SalesSnapshot["byCity"];
}

/** Where the browser fetches the country shapes (a copy of world-atlas 2.0.2's file). */
export const WORLD_URL = "/geo/countries-110m.topojson";

/** Bubble radius in px of the smallest and the largest revenue. */
const RADIUS: [number, number] = [3, 22];
const BUBBLE = "rgba(79, 70, 229, 0.55)";
const BUBBLE_LINE = "#4338ca";

type City = SalesSnapshot["byCity"][number];
type Topology = Parameters<typeof topojson.feature>[0];
type MapState = "fallback" | "loading" | "drawn" | "failed";

let countries: Promise<Feature[]> | undefined;

/** The country shapes, fetched once per page. */
function loadCountries(): Promise<Feature[]> {
  countries ??= (async () => {
    const res = await fetch(WORLD_URL);
    if (!res.ok) throw new Error(`GET ${WORLD_URL} answered ${res.status}`);
    const topology = await res.json() as Topology;
    const shapes = topojson.feature(topology, topology.objects.countries);
    return "features" in shapes ? shapes.features : [shapes];
  })();
  return countries;
}

const label = (c: City) => `${c.city}, ${c.country}`;
const points = (cities: City[]): IBubbleMapDataPoint[] =>
  cities.map((c) => ({ longitude: c.lon, latitude: c.lat, value: c.revenue }));

/** The server's drawing: bubbles on an equirectangular grid, no country shapes. */
function GridFallback({ cities }: { cities: City[] }) {
  const max = Math.max(0, ...cities.map((c) => c.revenue));
  const lines = [-120, -60, 0, 60, 120];
  return (
    <svg class="map-fallback" viewBox="0 0 360 180" role="img" aria-label="Sales by location">
      <rect width="360" height="180" fill="#eef0f6" />
      {lines.map((lon) => (
        <line key={`x${lon}`} x1={lon + 180} x2={lon + 180} y1="0" y2="180" class="map-grid" />
      ))}
      {[-60, -30, 0, 30, 60].map((lat) => (
        <line key={`y${lat}`} x1="0" x2="360" y1={90 - lat} y2={90 - lat} class="map-grid" />
      ))}
      {cities.map((c) => (
        <circle
          key={label(c)}
          cx={(c.lon + 180).toFixed(2)}
          cy={(90 - c.lat).toFixed(2)}
          r={(max > 0 ? 1.5 + Math.sqrt(c.revenue / max) * 8 : 1.5).toFixed(2)}
          fill={BUBBLE}
          stroke={BUBBLE_LINE}
          stroke-width="0.4"
        >
          <title>{`${label(c)}: ${formatDecimalText(c.revenueText)}`}</title>
        </circle>
      ))}
    </svg>
  );
}

/** The live sales map, with the top locations beside it. */
export default function SalesMap({ initial }: SalesMapProps) {
  const cities = useDashboard("sales", initial, (s) => s.byCity);
  const inBrowser = useInBrowser();
  const [outline, setOutline] = useState<Feature[] | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    loadCountries().then(setOutline, (error) => {
      console.error(`the sales map keeps its plain grid: ${error}`);
      setFailed(true);
    });
  }, []);

  const ready = inBrowser && outline !== null;
  const key = cities.map((c) => `${label(c)}=${c.revenueText}`).join(";");
  const canvas = useChart<"bubbleMap">({
    active: ready,
    create: (el) =>
      new Chart(el, {
        type: "bubbleMap",
        data: {
          labels: cities.map(label),
          datasets: [{
            label: "Revenue",
            outline: outline ?? [],
            showOutline: true,
            outlineBackgroundColor: "#eef0f6",
            outlineBorderColor: "#c3c8d4",
            outlineBorderWidth: 0.5,
            backgroundColor: BUBBLE,
            borderColor: BUBBLE_LINE,
            borderWidth: 1,
            data: points(cities),
          }],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: (item) =>
                  `${item.label}: ${formatMoney((item.raw as IBubbleMapDataPoint).value)}`,
              },
            },
          },
          scales: {
            projection: { type: "steadyProjection", axis: "x", projection: "equalEarth" },
            size: { axis: "x", range: RADIUS, min: 0, display: false },
          },
        },
      }),
    update: (chart) => {
      chart.data.labels = cities.map(label);
      chart.data.datasets[0].data = points(cities);
    },
    deps: [key],
  });

  const state: MapState = ready ? "drawn" : failed ? "failed" : inBrowser ? "loading" : "fallback";
  const top = cities.slice(0, 8);
  return (
    <div class="map-layout">
      <figure
        class="map"
        data-testid="sales-map"
        data-map={state}
        data-points={cities.length}
      >
        {ready
          ? <canvas ref={canvas} aria-label="Sales by location" role="img" />
          : <GridFallback cities={cities} />}
        {cities.length === 0 && <p class="muted map-empty">No sales yet</p>}
      </figure>
      <div class="map-side">
        <h3>Top locations</h3>
        {top.length === 0
          ? <p class="muted">No sales yet</p>
          : (
            <ol class="ranked" data-testid="sales-cities">
              {top.map((c) => (
                <li key={label(c)}>
                  <span>{label(c)}</span>
                  <span class="num">{formatDecimalText(c.revenueText)}</span>
                </li>
              ))}
            </ol>
          )}
      </div>
    </div>
  );
}
