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

/**
 * While `active` (the island renders the returned canvas ref then), creates
 * the chart with `create`, then calls `update` and redraws without animation
 * whenever `deps` change.
 */
export function useChart<T extends ChartType>(
  { active, create, update, deps }: ChartOptions<T>,
): RefObject<HTMLCanvasElement> {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T> | null>(null);
  useEffect(() => () => {
    chart.current?.destroy();
    chart.current = null;
  }, []);
  useEffect(() => {
    if (!active || !canvas.current) {
      chart.current?.destroy();
      chart.current = null;
      return;
    }
    if (!chart.current || chart.current.canvas !== canvas.current) {
      chart.current?.destroy();
      chart.current = create(canvas.current);
      return;
    }
    update(chart.current);
    chart.current.update("none");
  }, [active, ...deps]);
  return canvas;
}
