/** Reads a topic from its start, for checks after a run. */

import type { Broker, BrokerRecord } from "../pipeline/ports.ts";
import { delay } from "../pipeline/async.ts";

/** Every record of a topic from the start, read until nothing new comes for 300 ms. */
export async function readTopic(broker: Broker, topic: string): Promise<BrokerRecord[]> {
  const out: BrokerRecord[] = [];
  const controller = new AbortController();
  let lastAt = Date.now();
  const reading = broker.consume({
    groupId: `fuzz-reader-${crypto.randomUUID()}`,
    topics: [topic],
    signal: controller.signal,
    maxBatch: 1000,
    handle: (batch) => {
      out.push(...batch.records);
      lastAt = Date.now();
      return Promise.resolve();
    },
  });
  while (Date.now() - lastAt < 300) await delay(20);
  controller.abort();
  await reading;
  return out;
}
