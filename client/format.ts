/**
 * Text of the dashboards' figures, the same on the server and in the browser
 * (fixed `en-US` formats and UTC, so hydration never changes what the server
 * rendered).
 */

const money = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A money amount with two decimals and thousands separators: `12,345.60`. */
export function formatMoney(amount: number): string {
  return money.format(amount);
}

/**
 * Exact decimal text (`"1234567.5"`, `"-0.50"`) with thousands separators and
 * two decimals, without going through a float: `1,234,567.50`.
 */
export function formatDecimalText(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, int, frac = ""] = match;
  const grouped = int.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+$)/g, ",");
  return `${sign}${grouped}.${frac.padEnd(2, "0")}`;
}

/** A count with thousands separators: `1,234`. */
export function formatCount(count: number): string {
  return whole.format(count);
}

/** Events per second with one decimal: `12.5`. */
export function formatRate(perSecond: number): string {
  return oneDecimal.format(perSecond);
}

/** An average rating (1-5) with two decimals: `4.25`. */
export function formatRating(average: number): string {
  return average.toFixed(2);
}

/** `part` as a whole percentage of `total`; `0%` when the total is 0. */
export function formatShare(part: number, total: number): string {
  return `${total > 0 ? Math.round((part / total) * 100) : 0}%`;
}

/** `2025-03` → `Mar 2025`; other text is returned as is. */
export function formatMonth(month: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const name = match ? MONTHS[Number(match[2]) - 1] : undefined;
  return match && name ? `${name} ${match[1]}` : month;
}

/** Time of day in UTC of a timestamp in ms: `14:03:09`. */
export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** A duration in ms as minutes and seconds, whole seconds: `2 min 05 s`, `45 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${String(seconds % 60).padStart(2, "0")} s` : `${seconds} s`;
}

/** A latency in ms, short: `8 ms`, `340 ms`, `1.2 s`, `75 s`. */
export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Figures longer than this many characters show in compact notation on a KPI card. */
export const KPI_MAX_CHARS = 9;

const compact = new Intl.NumberFormat("en-US", {
  notation: "compact",
  maximumFractionDigits: 1,
});

/**
 * What a KPI card shows of a figure whose exact text is `exact` and value
 * `value`: the exact text when it is short enough for the card, else the
 * compact form (`1.2M`, `123.5K`), with the exact text left for its title.
 */
export function kpiText(exact: string, value: number): { shown: string; compact: boolean } {
  if (exact.length <= KPI_MAX_CHARS || !Number.isFinite(value)) {
    return { shown: exact, compact: false };
  }
  return { shown: compact.format(value), compact: true };
}
