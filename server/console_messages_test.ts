import assert from "node:assert/strict";
import type { Broker, BrokerRecord, TopicDescription } from "../pipeline/ports.ts";
import { parseFilter } from "./message_filter.ts";
import {
  browseMessages,
  DEFAULT_MESSAGES,
  MAX_SCANNED_BYTES,
  type MessageQuery,
} from "./console_messages.ts";

const MIB = 1024 * 1024;
const RECORDS = 1_000;

/** A topic of `RECORDS` one-megabyte records that counts what a browse reads of it. */
function largeRecords() {
  const value = new TextEncoder().encode("x".repeat(MIB));
  const reads: number[] = [];
  const record = (offset: number): BrokerRecord => ({
    topic: "big",
    partition: 0,
    offset,
    key: null,
    value,
    headers: {},
    timestamp: offset,
  });
  const broker = {
    read: ({ offset, limit }: { offset: number; limit: number }) => {
      const records = Array.from(
        { length: Math.max(0, Math.min(limit, RECORDS - offset)) },
        (_, i) => record(offset + i),
      );
      reads.push(records.length);
      return Promise.resolve(records);
    },
    offsetForTime: () => Promise.resolve(0),
  } as Pick<Broker, "read" | "offsetForTime"> as Broker;
  const topic: TopicDescription = {
    name: "big",
    partitions: [{ partition: 0, low: 0, high: RECORDS }],
    retentionMs: null,
  };
  return { broker, topic, reads };
}

for (const [direction, from] of [["the newest", undefined], ["from a time", 0]] as const) {
  Deno.test(`a browse of ${direction} with a filter nothing matches reads at most MAX_SCANNED_BYTES of large records`, async () => {
    const { broker, topic, reads } = largeRecords();
    const query: MessageQuery = {
      limit: DEFAULT_MESSAGES,
      filter: parseFilter("value~never"),
      ...(from === undefined ? {} : { from }),
    };
    assert.deepEqual(await browseMessages(broker, topic, query), []);
    const read = reads.reduce((a, b) => a + b, 0) * MIB;
    assert.ok(read <= MAX_SCANNED_BYTES + 50 * MIB, `read ${read / MIB} MiB`);
    assert.ok(Math.max(...reads.slice(1)) * MIB <= MAX_SCANNED_BYTES, "later reads fit the budget");
  });
}
