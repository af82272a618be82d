/**
 * Samples the broker for the consumer lag: every `intervalMs` it asks for
 * every topic's end offsets and every group's committed offsets and hands
 * them to the `GroupLagTracker`, which keeps lag in records and seconds,
 * Burrow's status and the hour of history the console shows.
 */

import type { Broker } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import { delay } from "../pipeline/async.ts";
import type { GroupLagTracker } from "../pipeline/lag/group_lag_tracker.ts";

/**
 * Time before sampling again after a sample failed, ms, when it is shorter
 * than the interval: a broker back from an outage shows in the console's
 * groups within a second or two, not only at the next full interval (an
 * attempt that failed while the broker came back, e.g. with its offsets
 * still loading, then cost a whole interval again).
 */
export const RETRY_MS = 1_000;

/** What the sampler needs of the broker. */
export type LagSource = Pick<Broker, "describeTopics" | "describeGroups">;

/** Settings of `runLagSampler`. */
export interface LagSamplerOptions {
  broker: LagSource;
  tracker: GroupLagTracker;
  /** Time between two samples, ms (`STREAMBOARD_LAG_SAMPLE_MS`). */
  intervalMs: number;
  /** Time before trying again after a failed sample, ms (default `RETRY_MS`, at most `intervalMs`). */
  retryMs?: number;
  /** Clock, ms since the epoch. */
  now: () => number;
  log: Logger;
  signal: AbortSignal;
}

/**
 * Samples until the signal aborts. A broker that does not answer is logged
 * once per outage and asked again every `retryMs`; the tracker keeps what it
 * last knew meanwhile.
 */
export async function runLagSampler(options: LagSamplerOptions): Promise<void> {
  const { broker, tracker, intervalMs, now, log, signal } = options;
  const retryMs = Math.min(intervalMs, options.retryMs ?? RETRY_MS);
  let failing = false;
  while (!signal.aborted) {
    let described;
    try {
      described = await Promise.all([broker.describeTopics(), broker.describeGroups()]);
    } catch (error) {
      if (signal.aborted) break;
      if (!failing) {
        log.warn(`consumer lag: cannot describe the broker's groups (${(error as Error).message})`);
      }
      failing = true;
    }
    if (described) {
      if (failing) log.info("consumer lag: the broker answers again");
      failing = false;
      // Outside the try: a bug in the tracker must not pass for a broker outage.
      tracker.observe(now(), ...described);
    }
    await delay(failing ? retryMs : intervalMs, signal);
  }
}
