/**
 * The console's topics: each topic's partitions with their low and high
 * offsets, records in per second over the last minute and retention, for
 * `GET /api/console/topics` and the `console` page of the live path.
 */

import type { Broker, PartitionOffsets } from "../pipeline/ports.ts";
import type { LivePage, Pages } from "./dashboards.ts";
import type { TopicRates } from "./topic_rates.ts";

/** A topic as the console shows it. */
export interface ConsoleTopic {
  name: string;
  partitions: PartitionOffsets[];
  /** Records in per second over the last minute; `null` until two samples were taken. */
  inPerSecond: number | null;
  /** How long records are kept, ms; `null` for ever. */
  retentionMs: number | null;
}

/** The `console` page's snapshot. */
export interface ConsoleSnapshot {
  topics: ConsoleTopic[];
}

/** The name of the console's page in the live path (`/api/stream/console`). */
export const CONSOLE_PAGE = "console";

/** Every topic with its offsets and rate, sorted by name. */
export async function consoleTopics(broker: Broker, rates: TopicRates): Promise<ConsoleTopic[]> {
  const topics = await broker.describeTopics();
  return topics.map(({ name, partitions, retentionMs }) => ({
    name,
    partitions,
    inPerSecond: rates.inPerSecond(name),
    retentionMs,
  }));
}

/** The console's topics page as a live page: no live topic, refreshed by the feed's clock. */
export function consolePage(broker: Broker, rates: TopicRates): LivePage<ConsoleSnapshot> {
  return { liveTopics: [], read: async () => ({ topics: await consoleTopics(broker, rates) }) };
}

/**
 * `pages` and the console's page beside them.
 *
 * @throws {Error} when a stream module already shows a page named `console`
 */
export function withConsolePage<P extends Pages>(
  pages: P,
  broker: Broker,
  rates: TopicRates,
): P & { console: LivePage<ConsoleSnapshot> } {
  if (Object.hasOwn(pages, CONSOLE_PAGE)) {
    throw new Error(`a stream module names its page "${CONSOLE_PAGE}", which the console uses`);
  }
  return { ...pages, [CONSOLE_PAGE]: consolePage(broker, rates) };
}
