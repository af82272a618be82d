import assert from "node:assert/strict";
import type { BrokerRecord } from "../pipeline/ports.ts";
import { EmbeddedLog } from "../pipeline/embedded/log_broker.ts";
import { partitionFor } from "../pipeline/partitioner.ts";
import {
  readDeadLetters,
  readRanges,
  SCAN_CHUNK,
  type ScanCursor,
  scanDeadLetters,
} from "./dead_letters.ts";

const encoder = new TextEncoder();
const TOPIC = "s.dlq";

/** A log whose dead-letter topic has 2 partitions holding `perPartition` records each, codes alternating. */
async function log(perPartition: number) {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-dead-letters-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  await broker.createTopics([{ name: TOPIC, partitions: 2 }]);
  const keyOn = (p: number) => {
    for (let n = 0;; n++) if (partitionFor(`k${n}`, 2) === p) return `k${n}`;
  };
  for (const partition of [0, 1]) {
    await broker.produce(
      TOPIC,
      Array.from({ length: perPartition }, (_, i) => ({
        key: keyOn(partition),
        value: encoder.encode(`${partition}-${i}`),
        headers: { "error.code": i % 2 === 0 ? "invalid" : "late", reason: "r" },
        timestamp: 1_000 + i,
      })),
    );
  }
  return {
    broker,
    close: async () => {
      await broker.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const at = (r: BrokerRecord) => `${r.partition}/${r.offset}`;

Deno.test("a scan goes newest first, highest partition first, and a cursor takes up where it stopped", async () => {
  const { broker, close } = await log(3);
  try {
    const seen: string[] = [];
    let cursor: ScanCursor | undefined;
    do {
      const page = await scanDeadLetters(broker, TOPIC, { filter: {}, limit: 2, cursor });
      seen.push(...page.records.map(at));
      cursor = page.next ?? undefined;
    } while (cursor);
    assert.deepEqual(seen, ["1/2", "1/1", "1/0", "0/2", "0/1", "0/0"]);
    assert.deepEqual(await scanDeadLetters(broker, "missing.dlq", { filter: {}, limit: 5 }), {
      records: [],
      next: null,
    });
  } finally {
    await close();
  }
});

Deno.test("a scan filters by code and time, and stops at its read budget with a cursor", async () => {
  const { broker, close } = await log(6);
  try {
    const late = await scanDeadLetters(broker, TOPIC, {
      filter: { reason: "late", from: 1_003 },
      limit: 10,
    });
    assert.deepEqual(late.records.map(at), ["1/5", "1/3", "0/5", "0/3"]);
    assert.equal(late.next, null);
    const short = await scanDeadLetters(broker, TOPIC, {
      filter: { reason: "late" },
      limit: 10,
      maxScan: 4,
    });
    assert.deepEqual(short.records.map(at), ["1/5", "1/3"]);
    assert.deepEqual(short.next, { partition: 1, offset: 2 });
  } finally {
    await close();
  }
});

Deno.test("dead letters are read by position, each once, and those not there skipped with why", async () => {
  const { broker, close } = await log(3);
  try {
    const { records, skipped } = await readDeadLetters(broker, TOPIC, [
      { partition: 1, offset: 2 },
      { partition: 0, offset: 0 },
      { partition: 1, offset: 2 },
      { partition: 0, offset: 7 },
      { partition: 5, offset: 0 },
    ]);
    assert.deepEqual(records.map(at), ["1/2", "0/0"]);
    assert.deepEqual(skipped.map((s) => [s.partition, s.offset]), [[0, 7], [5, 0]]);
    assert.match(skipped[0].why, /holds offsets 0 to 2/);
    assert.match(skipped[1].why, /no partition 5/);
  } finally {
    await close();
  }
});

Deno.test("near positions of a partition are read in one read", () => {
  assert.deepEqual(
    readRanges([
      { partition: 0, offset: 9 },
      { partition: 1, offset: 0 },
      { partition: 0, offset: 3 },
      { partition: 0, offset: 3 + SCAN_CHUNK },
    ]),
    [
      { partition: 0, offset: 3, limit: 7 },
      { partition: 0, offset: 3 + SCAN_CHUNK, limit: 1 },
      { partition: 1, offset: 0, limit: 1 },
    ],
  );
});
