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

/** What the sampler needs of the broker. */
export type LagSource = Pick<Broker, "describeTopics" | "describeGroups">;

/** Settings of `runLagSampler`. */
export interface LagSamplerOptions {
  broker: LagSource;
  tracker: GroupLagTracker;
  /** Time between two samples, ms (`STREAMBOARD_LAG_SAMPLE_MS`). */
  intervalMs: number;
  /** Clock, ms since the epoch. */
  now: () => number;
  log: Logger;
  signal: AbortSignal;
}

/**
 * Samples until the signal aborts. A broker that does not answer is logged
 * once per outage; the tracker keeps what it last knew meanwhile.
 */
export async function runLagSampler(options: LagSamplerOptions): Promise<void> {
  const { broker, tracker, intervalMs, now, log, signal } = options;
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
    await delay(intervalMs, signal);
  }
}
