/**
 * The life of a chart.js chart inside an island. The server (and the first,
 * hydrating render) shows the island's fallback; once the island runs in the
 * browser it renders a canvas, the chart is created on it, updated in place
 * when the data changes and destroyed with the island.
 */

import type { Chart, ChartType } from "chart.js";
import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** False on the server and during hydration, true once the island runs in the browser. */
export function useInBrowser(): boolean {
  const [inBrowser, setInBrowser] = useState(false);
  useEffect(() => setInBrowser(true), []);
  return inBrowser;
}

/** What `useChart` draws, and when. */
export interface ChartOptions<T extends ChartType> {
  /** Whether the chart is shown; the island renders the returned canvas ref only then. */
  active: boolean;
  /** Creates the chart on the canvas, the first time it is shown. */
  create: (canvas: HTMLCanvasElement) => Chart<T>;
  /** Puts the current data into the existing chart. */
  update: (chart: Chart<T>) => void;
  /** The values whose change calls `update`. */
  deps: readonly unknown[];
}

/** The shortest time between two redraws of one chart: a page's data can change ten times a second. */
export const REDRAW_INTERVAL_MS = 250;

/**
 * While `active` (the island renders the returned canvas ref then), creates
 * the chart with `create`, then calls `update` and redraws without animation
 * when `deps` change, at most once per `REDRAW_INTERVAL_MS`: a change within
 * it is drawn at its end, with the data of that moment. The figures around
 * the chart stay at the live rate; only the canvas waits.
 */
export function useChart<T extends ChartType>(
  { active, create, update, deps }: ChartOptions<T>,
): RefObject<HTMLCanvasElement> {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T> | null>(null);
  const latest = useRef(update);
  latest.current = update;
  const drawn = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const forget = () => {
    if (pending.current !== null) clearTimeout(pending.current);
    pending.current = null;
    chart.current?.destroy();
    chart.current = null;
  };
  useEffect(() => forget, []);
  useEffect(() => {
    if (!active || !canvas.current) {
      forget();
      return;
    }
    if (!chart.current || chart.current.canvas !== canvas.current) {
      forget();
      chart.current = create(canvas.current);
      drawn.current = performance.now();
      return;
    }
    if (pending.current !== null) return;
    const redraw = () => {
      pending.current = null;
      if (!chart.current) return;
      latest.current(chart.current);
      chart.current.update("none");
      drawn.current = performance.now();
    };
    const wait = drawn.current + REDRAW_INTERVAL_MS - performance.now();
    if (wait <= 0) redraw();
    else pending.current = setTimeout(redraw, wait);
  }, [active, ...deps]);
  return canvas;
}
