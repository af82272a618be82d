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

/**
 * Latencies with the time each was seen, for the last `spanMs`: a ring of at
 * most `max`, its quantiles found by selection rather than a sort. The live
 * feed asks for them at every page update (and a page's store at every
 * `latency` event it receives); sorting a copy of a busy minute's
 * 20,000 latencies took a few ms each time, six times what reading the users
 * page took, and since updates are paced by what they cost, that sort set
 * the gap between updates at 10,000 users/s.
 */
export class LatencyWindow {
  readonly #spanMs: number;
  readonly #at: Float64Array;
  readonly #ms: Float64Array;
  /** Scratch space the quantiles are selected in, so the ring keeps its order. */
  readonly #scratch: Float64Array;
  /** Index of the oldest latency in the ring. */
  #head = 0;
  #length = 0;

  constructor(spanMs = LATENCY_WINDOW_MS, max = LATENCY_WINDOW_MAX) {
    this.#spanMs = spanMs;
    this.#at = new Float64Array(max);
    this.#ms = new Float64Array(max);
    this.#scratch = new Float64Array(max);
  }

  /** Adds latencies seen at `at` (ms since the epoch). */
  add(latenciesMs: readonly number[], at: number): void {
    const max = this.#ms.length;
    for (const ms of latenciesMs) {
      const slot = (this.#head + this.#length) % max;
      this.#at[slot] = at;
      this.#ms[slot] = ms;
      if (this.#length < max) this.#length++;
      else this.#head = (this.#head + 1) % max;
    }
  }

  /** p50 and p99 (nearest rank) of the latencies seen after `now - spanMs`; `null` when none were. */
  figures(now: number): LatencyFigures | null {
    const max = this.#ms.length;
    while (this.#length > 0 && this.#at[this.#head] <= now - this.#spanMs) {
      this.#head = (this.#head + 1) % max;
      this.#length--;
    }
    const count = this.#length;
    if (count === 0) return null;
    const values = this.#scratch.subarray(0, count);
    const first = Math.min(count, max - this.#head);
    values.set(this.#ms.subarray(this.#head, this.#head + first));
    values.set(this.#ms.subarray(0, count - first), first);
    return {
      p50: nthSmallest(values, rankIndex(count, 0.5)),
      p99: nthSmallest(values, rankIndex(count, 0.99)),
      count,
    };
  }
}

/** The index of the nearest-rank `q` quantile among `count` ascending values. */
function rankIndex(count: number, q: number): number {
  return Math.max(0, Math.ceil(q * count) - 1);
}

/**
 * The `k`-th smallest of `values` (from 0), reordering them: Hoare's
 * selection, linear on average. Should the partitions shrink too slowly (an
 * unlucky order of latencies), the part left is sorted instead, so no order
 * costs more than a sort.
 */
export function nthSmallest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  let rounds = 2 * Math.ceil(Math.log2(values.length + 1)) + 4;
  while (hi > lo) {
    if (rounds-- === 0) {
      values.subarray(lo, hi + 1).sort();
      return values[k];
    }
    const pivot = medianOfThree(values[lo], values[(lo + hi) >>> 1], values[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    // Now values[lo..j] <= pivot <= values[i..hi], and those between equal it.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

function medianOfThree(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
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
