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
 * them, and most viewers fell seconds behind; waiting, the updates come as
 * fast as they are delivered, each to every viewer.
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
}

/**
 * The pacing of page updates: at most 50 a second, at most a tenth of the
 * server's time, and no faster than 99 % of the viewers take them (past 10
 * viewers behind; the wait at most a second).
 */
export const UPDATE_PACING: UpdatePacing = {
  minGapMs: 20,
  maxGapMs: 250,
  costFactor: 10,
  behindShare: 0.01,
  behindAllowed: 10,
  deliveryWaitMs: 1000,
};

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
