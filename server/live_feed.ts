/**
 * Feeds the hub from the broker: follows `users.live` (what processors
 * announce after their stores acknowledged) and publishes `users` events, then
 * fresh `stats` read from the aggregate store, coalesced so a busy stream
 * costs at most one stats read per `statsIntervalMs`.
 */

import type { AggregateStore, Broker } from "../pipeline/ports.ts";
import type { UserSummary } from "../pipeline/users/randomuser.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import type { Logger } from "../pipeline/logger.ts";
import type { LiveHub } from "./live_hub.ts";
import { userStats } from "./users_data.ts";
import { delay } from "../pipeline/async.ts";
import type { LiveAnnouncement } from "../pipeline/live_announcement.ts";

/** Most users one `users` event carries (the newest of a batch). */
export const USERS_PER_EVENT = 100;

/** Settings of the live feed. */
export interface LiveFeedOptions {
  broker: Broker;
  aggregates: AggregateStore;
  hub: LiveHub;
  log: Logger;
  signal: AbortSignal;
  statsIntervalMs?: number;
  /** Called once the feed follows the live topic. */
  onReady?(): void;
}

/** Runs until the signal aborts; tolerates broker hiccups by following again. */
export async function runLiveFeed(options: LiveFeedOptions): Promise<void> {
  const { broker, aggregates, hub, log, signal } = options;
  const interval = options.statsIntervalMs ?? 100;
  const decoder = new TextDecoder();
  let statsDue = false;
  let statsRunning = false;
  let lastStats = 0;

  const refreshStats = async () => {
    if (statsRunning) return;
    statsRunning = true;
    try {
      while (statsDue && !signal.aborted) {
        const wait = lastStats + interval - Date.now();
        if (wait > 0) await delay(wait, signal);
        statsDue = false;
        lastStats = Date.now();
        hub.publish("stats", await userStats(aggregates));
      }
    } catch (error) {
      log.warn(`could not read stats for the live feed: ${(error as Error).message}`);
    } finally {
      statsRunning = false;
    }
  };

  while (!signal.aborted) {
    try {
      await broker.tail({
        topics: [USERS.liveTopic],
        signal,
        onReady: options.onReady,
        handle: (batch) => {
          const users = batch.records
            .flatMap((r) => (JSON.parse(decoder.decode(r.value)) as LiveAnnouncement).items)
            .slice(-USERS_PER_EVENT)
            .reverse() as unknown as UserSummary[];
          hub.publish("users", { users });
          statsDue = true;
          refreshStats();
        },
      });
    } catch (error) {
      if (signal.aborted) break;
      log.warn(`live feed lost the broker (${(error as Error).message}); following again in 1 s`);
      await delay(1000, signal);
    }
  }
}
