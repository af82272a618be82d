/**
 * Latencies of the last minute and their p50 and p99: what a dashboard shows
 * beside its Live dot. Pure and browser-safe: the server keeps one per stream
 * (produce-to-stored), the browser one per page (produce-to-browser).
 */

/** p50 and p99 of the latencies in the window, ms, and how many there were. */
export interface LatencyFigures {
  p50: number;
  p99: number;
  count: number;
}

/** How far back a window looks, ms. */
export const LATENCY_WINDOW_MS = 60_000;

/** Most latencies kept; past it the oldest go first (a fair sample of a busy minute). */
export const LATENCY_WINDOW_MAX = 20_000;

/** Latencies with the time each was seen, for the last `spanMs`. */
export class LatencyWindow {
  readonly #spanMs: number;
  readonly #max: number;
  #at: number[] = [];
  #ms: number[] = [];

  constructor(spanMs = LATENCY_WINDOW_MS, max = LATENCY_WINDOW_MAX) {
    this.#spanMs = spanMs;
    this.#max = max;
  }

  /** Adds latencies seen at `at` (ms since the epoch). */
  add(latenciesMs: readonly number[], at: number): void {
    for (const ms of latenciesMs) {
      this.#at.push(at);
      this.#ms.push(ms);
    }
    const over = this.#ms.length - this.#max;
    if (over > 0) {
      this.#at.splice(0, over);
      this.#ms.splice(0, over);
    }
  }

  /** p50 and p99 (nearest rank) of the latencies seen after `now - spanMs`; `null` when none were. */
  figures(now: number): LatencyFigures | null {
    let drop = 0;
    while (drop < this.#at.length && this.#at[drop] <= now - this.#spanMs) drop++;
    if (drop > 0) {
      this.#at.splice(0, drop);
      this.#ms.splice(0, drop);
    }
    if (this.#ms.length === 0) return null;
    const sorted = [...this.#ms].sort((a, b) => a - b);
    return { p50: rank(sorted, 0.5), p99: rank(sorted, 0.99), count: sorted.length };
  }
}

/** The nearest-rank `q` quantile of ascending values. */
function rank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/**
 * The browser's clock minus the server's, estimated from server send times
 * as the smallest (received − sent) seen: that difference is the offset plus
 * one network transit, so its minimum is the offset plus the quickest transit
 * (a few ms on a LAN). Latencies corrected with it may read low by that much,
 * never by a clock set wrong.
 */
export class ClockOffset {
  #offset: number | undefined;

  /** Takes one event the server sent at `sentAt` (its clock) and the browser received at `receivedAt`. */
  observe(sentAt: number, receivedAt: number): void {
    const seen = receivedAt - sentAt;
    if (this.#offset === undefined || seen < this.#offset) this.#offset = seen;
  }

  /** The estimate, ms; 0 before any event. */
  get ms(): number {
    return this.#offset ?? 0;
  }
}
