/**
 * chart.js with the parts of a line chart registered, once for every island
 * that draws lines (clickstream rates, consumer-group lag).
 */

import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);

/** chart.js's `Chart`, ready to draw line charts. */
export const LineChart: typeof Chart = Chart;
