/**
 * Event timestamps as records carry them. ISO 8601 with a zone is read as
 * given; a timestamp without a zone (`"2025-02-16 07:29:49"`, the form Flink
 * and SQL databases print) is read as UTC and written back in that same form.
 */

import { InvalidFieldError } from "../validation.ts";

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})([ T])(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Reads an event timestamp: zone-less text as UTC, ISO 8601 with `Z` or an
 * offset as given. Returns ms since the epoch.
 *
 * @throws {InvalidFieldError} (a `TypeError`) naming `path` when the value is
 * not such a timestamp or not a real date (`2025-02-30 10:00:00`).
 */
export function parseEventTime(value: unknown, path: string): number {
  const match = typeof value === "string" ? TIMESTAMP.exec(value.trim()) : null;
  if (match) {
    const [, y, mo, d, separator, h, mi, s, fraction = "0", zone] = match;
    const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Math.floor(+`0.${fraction}` * 1000));
    const back = new Date(local);
    const real = back.getUTCFullYear() === +y && back.getUTCMonth() === +mo - 1 &&
      back.getUTCDate() === +d && +h < 24 && +mi < 60 && +s < 60;
    if (real && zone === undefined) return local;
    if (real && separator === "T") {
      const offset = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) *
        (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
      if (Math.abs(offset) <= 18 * 3_600_000) return local - offset;
    }
  }
  throw new InvalidFieldError({
    path,
    expected: 'a timestamp such as "2025-02-16 07:29:49" (UTC) or ISO 8601 with a zone',
    got: value,
  });
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Formats ms since the epoch as zone-less UTC, `2025-02-16 07:29:49` (milliseconds dropped). */
export function formatZoneless(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${
    pad(d.getUTCHours())
  }:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The UTC day of a moment, `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC month of a moment, `YYYY-MM`. */
export function utcMonth(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}
