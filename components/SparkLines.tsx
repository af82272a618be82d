/**
 * Lines drawn as plain SVG: the fallback of the dashboards' line charts,
 * rendered on the server so a page shows its trends before any script runs
 * (chart.js replaces it in the browser). No axes, only the shape.
 */

/** One line. */
export interface SparkSeries {
  label: string;
  color: string;
  values: number[];
}

/** Props: the lines, scaled together from 0 to their highest value. */
export interface SparkLinesProps {
  series: SparkSeries[];
  /** Accessible name of the drawing. */
  label: string;
  height?: number;
}

const WIDTH = 600;

/** Points of a polyline in a `WIDTH` × `height` box; one value spans the width. */
export function sparkPoints(values: number[], max: number, height: number): string {
  const pad = 4;
  const y = (v: number) => (height - pad - (max > 0 ? v / max : 0) * (height - 2 * pad)).toFixed(1);
  if (values.length === 1) return `0,${y(values[0])} ${WIDTH},${y(values[0])}`;
  const step = WIDTH / Math.max(1, values.length - 1);
  return values.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`).join(" ");
}

/** SVG lines with a small legend. */
export function SparkLines({ series, label, height = 160 }: SparkLinesProps) {
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  return (
    <div class="spark">
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={label}
        style={{ height: `${height}px` }}
      >
        {series.filter((s) => s.values.length > 0).map((s) => (
          <polyline
            key={s.label}
            points={sparkPoints(s.values, max, height)}
            fill="none"
            stroke={s.color}
            stroke-width="2"
            vector-effect="non-scaling-stroke"
          />
        ))}
      </svg>
      {series.length > 1 && (
        <ul class="legend legend-inline">
          {series.map((s) => (
            <li key={s.label}>
              <span class="swatch" style={{ background: s.color }} />
              {s.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
