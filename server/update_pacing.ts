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
 *
 * What an update costs the connections is not in that cost: publishing only
 * queues one shared chunk per viewer, and the sockets take it later. So an
 * update also waits for the viewers to take the previous one: with ten
 * thousand viewers 4 updates a second queued faster than the server wrote
 * them, and most viewers fell seconds behind. Waiting alone was not enough:
 * updates then came as fast as they were delivered, the server did nothing
 * but write them, and the viewers the writes reached last were seconds late
 * (p99 2.3–4.0 s at 10,000 viewers). So the fan-out also takes a bounded
 * share of the time: after an update reached its viewers the next waits at
 * least as long again (`fanOutRest`), and the writes of one update reach
 * every viewer before the next begins.
 */

/** How updates of one page are paced. */
export interface UpdatePacing {
  /** Least gap between two updates, ms: what a browser is asked to render at most. */
  minGapMs: number;
  /** Longest gap under a burst, ms, however costly the updates. */
  maxGapMs: number;
  /** The gap after an update is at least this many times what the update took. */
  costFactor: number;
  /**
   * An update waits until at most this share of the page's viewers have not
   * yet taken the previous one (`LiveHub.delivered`)...
   */
  behindShare: number;
  /** ...or at most this many, whichever is more (a few stuck viewers never slow the others)... */
  behindAllowed: number;
  /** ...but never longer than this, ms (a stuck viewer is resynchronised by its own queue's bound). */
  deliveryWaitMs: number;
  /**
   * After an update's fan-out (publish to delivered) the next waits at least
   * this many times as long: the fan-out takes at most `1 / (1 + fanOutRest)`
   * of the time, whatever the longest gap.
   */
  fanOutRest: number;
}

/**
 * The pacing of page updates: at most 50 a second, at most a tenth of the
 * server's time, no faster than 99 % of the viewers take them (past 10
 * viewers behind; the wait at most a second), and their fan-out at most half
 * the time.
 */
export const UPDATE_PACING: UpdatePacing = {
  minGapMs: 20,
  maxGapMs: 250,
  costFactor: 10,
  behindShare: 0.01,
  behindAllowed: 10,
  deliveryWaitMs: 1000,
  fanOutRest: 1,
};

/** The last update of a page. */
export interface LastUpdate {
  /** When it started, ms since the epoch. */
  at: number;
  /** How long reading and publishing it took, ms. */
  costMs: number;
  /** How long its viewers then took to take it (`LiveHub.delivered`), ms; 0 until known. */
  fanOutMs: number;
}

/** The earliest time (ms since the epoch) the next update may start; none before the first. */
export function nextUpdateAt(last: LastUpdate | undefined, pacing: UpdatePacing): number {
  if (!last) return -Infinity;
  const gap = Math.min(pacing.maxGapMs, Math.max(pacing.minGapMs, last.costMs * pacing.costFactor));
  const delivered = last.at + last.costMs + last.fanOutMs;
  return Math.max(last.at + gap, delivered + last.fanOutMs * pacing.fanOutRest);
}
