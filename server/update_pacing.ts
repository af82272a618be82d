/**
 * When a page's next live update may go out: at once after a quiet spell,
 * and under a burst after a gap that grows with what the last update cost.
 *
 * A fixed gap (250 ms) made every event announced just after an update wait
 * up to that long, although reading and pushing the users page takes a few
 * ms. Pacing by cost keeps updates as close to the events as the page's read
 * allows while bounding the share of the server's time they take (at most
 * `1 / costFactor`), so a page with many viewers or a busy machine backs off
 * by itself, never to more than `maxGapMs` between updates.
 */

/** How updates of one page are paced. */
export interface UpdatePacing {
  /** Least gap between two updates, ms: what a browser is asked to render at most. */
  minGapMs: number;
  /** Longest gap under a burst, ms, however costly the updates. */
  maxGapMs: number;
  /** The gap after an update is at least this many times what the update took. */
  costFactor: number;
}

/** The pacing of page updates: at most 50 a second, at most a tenth of the server's time. */
export const UPDATE_PACING: UpdatePacing = { minGapMs: 20, maxGapMs: 250, costFactor: 10 };

/** The last update of a page: when it started and how long reading and pushing it took, ms. */
export interface LastUpdate {
  at: number;
  costMs: number;
}

/** The earliest time (ms since the epoch) the next update may start; none before the first. */
export function nextUpdateAt(last: LastUpdate | undefined, pacing: UpdatePacing): number {
  if (!last) return -Infinity;
  const gap = Math.min(pacing.maxGapMs, Math.max(pacing.minGapMs, last.costMs * pacing.costFactor));
  return last.at + gap;
}
