/**
 * A custom time range's bounds in `datetime-local` inputs, which show whole
 * seconds in the browser's zone, and back to the ms the view holds.
 */

/** `ms` as a `datetime-local` value (to the second) in the browser's zone, `""` for none. */
export function localInput(ms: number | undefined): string {
  if (ms === undefined) return "";
  const d = new Date(ms);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

/**
 * The ms a bound's input stands for: the view's own `kept` ms while the input
 * still shows its second, so applying another filter does not move the range
 * by the ms the input cannot show; else the time typed. Browsers drop `:00`
 * seconds from an input's value (Chrome gives `2026-12-03T15:42`), so the
 * time is compared, not the text.
 */
export function boundFromInput(text: string, kept: number | undefined): number {
  const shown = new Date(text).getTime();
  return kept !== undefined && shown === Math.floor(kept / 1000) * 1000 ? kept : shown;
}
