/** Collecting in tests the records appended to topics from now on. */

import type { Broker, BrokerRecord } from "../ports.ts";

/** Records collected so far, and how to stop collecting. */
export interface Collected {
  /** Grows as records arrive. */
  list: BrokerRecord[];
  stop(): Promise<void>;
}

/** Follows `topics` from their current end (resolves once the tail is ready), collecting every record. */
export async function collectTail(broker: Broker, topics: string[]): Promise<Collected> {
  const list: BrokerRecord[] = [];
  const controller = new AbortController();
  const { promise: ready, resolve } = Promise.withResolvers<void>();
  const tailing = broker.tail({
    topics,
    signal: controller.signal,
    handle: (batch) => void list.push(...batch.records),
    onReady: resolve,
  });
  await ready;
  return {
    list,
    stop: async () => {
      controller.abort();
      await tailing;
    },
  };
}
