/**
 * The script-free pie (or donut) the server renders for a chart island: a CSS
 * conic gradient with a legend, shown until chart.js takes over in the browser.
 */

/** One slice: its legend text, size and colour. */
export interface PieSlice {
  label: string;
  value: number;
  color: string;
  /** Legend text of the value (`12` or `1,234.50`). */
  text: string;
}

/** The CSS background of a pie of `slices`, with a hole when `donut`. */
export function pieGradient(slices: readonly PieSlice[], donut = false): string {
  const total = slices.reduce((sum, s) => sum + s.value, 0);
  if (total === 0) return "conic-gradient(#e5e7eb 0 100%)";
  let at = 0;
  const stops = slices.map((s) => {
    const from = at;
    at += (s.value / total) * 100;
    return `${s.color} ${from}% ${at}%`;
  });
  const hole = donut ? "radial-gradient(var(--card) 0 55%, transparent 56%), " : "";
  return `${hole}conic-gradient(${stops.join(", ")})`;
}

/** The pie and its legend; `label` names the chart for screen readers. */
export function PieFallback(
  { slices, label, donut = false }: { slices: PieSlice[]; label: string; donut?: boolean },
) {
  return (
    <div class="pie-fallback">
      <div
        class="pie"
        style={{ background: pieGradient(slices, donut) }}
        role="img"
        aria-label={label}
      />
      <ul class="legend">
        {slices.map((s) => (
          <li key={s.label}>
            <span class="swatch" style={{ background: s.color }} />
            {s.label}: {s.text}
          </li>
        ))}
      </ul>
    </div>
  );
}
