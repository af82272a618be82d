import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { EmbeddedLog } from "./log_broker.ts";
import { RETENTION_BATCH } from "./log_retention.ts";
import type { TopicSpec } from "../ports.ts";

const RETENTION_MS = 60_000;

/**
 * A log with a retention of a minute, on a clock the test sets, holding
 * `topics` (by default one single-partition topic, `t`).
 */
async function openLog(topics: TopicSpec[] = [{ name: "t", partitions: 1 }]) {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-retention-" });
  const clock = { now: 1_000_000 };
  const log = new EmbeddedLog({
    path: `${dir}/log.db`,
    pollMs: 5,
    retentionMs: RETENTION_MS,
    now: () => clock.now,
  });
  await log.createTopics(topics);
  const offsets = async () => {
    const [{ partitions: [{ low, high }] }] = await log.describeTopics();
    return { low, high };
  };
  const close = async () => {
    await log.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { log, clock, offsets, close };
}

const at = (timestamp: number) => ({ key: null, value: new Uint8Array([1]), timestamp });

Deno.test("records older than the retention go from the start of a partition, up to the first that is not", async () => {
  const { log, clock, offsets, close } = await openLog();
  try {
    // The append runs the retention: the cutoff is 940,000, so offsets 0 and 1 expire. Offset 3
    // is as old, but offset 2 before it is not: it stays, as in a Kafka segment not yet expired.
    await log.produce("t", [at(900_000), at(910_000), at(1_000_000), at(905_000), at(1_000_500)]);
    assert.deepEqual(await offsets(), { low: 2, high: 5 });
    const left = await log.read({ topic: "t", partition: 0, offset: 0, limit: 10 });
    assert.deepEqual(left.map((r) => [r.offset, r.timestamp]), [
      [2, 1_000_000],
      [3, 905_000],
      [4, 1_000_500],
    ]);
    // Within the minute nothing more is looked at.
    clock.now += RETENTION_MS - 1;
    await log.produce("t", [at(clock.now)]);
    assert.deepEqual(await offsets(), { low: 2, high: 6 });
    // A minute on, the cutoff (1,000,500) takes offsets 2 and 3; offset 4, at the cutoff, stays.
    clock.now += 501;
    await log.produce("t", [at(clock.now)]);
    assert.deepEqual(await offsets(), { low: 4, high: 7 });
    // Much later every record but the one appended then has expired.
    clock.now += 10 * RETENTION_MS;
    await log.produce("t", [at(clock.now)]);
    assert.deepEqual(await offsets(), { low: 7, high: 8 });
  } finally {
    await close();
  }
});

Deno.test("a large expiry is deleted a bounded number at a time, the rest a moment later", async () => {
  const { log, clock, offsets, close } = await openLog();
  try {
    const expired = 2 * RETENTION_BATCH + 100;
    // The first append's run takes a full batch of them.
    await log.produce("t", Array.from({ length: expired }, () => at(1_000)));
    assert.deepEqual(await offsets(), { low: RETENTION_BATCH, high: expired });
    // The next run comes 100 ms later, not a minute later.
    clock.now += 50;
    await log.produce("t", [at(clock.now)]);
    assert.equal((await offsets()).low, RETENTION_BATCH);
    clock.now += 50;
    await log.produce("t", [at(clock.now)]);
    assert.equal((await offsets()).low, 2 * RETENTION_BATCH);
    clock.now += 100;
    await log.produce("t", [at(clock.now)]);
    assert.deepEqual(await offsets(), { low: expired, high: expired + 3 });
  } finally {
    await close();
  }
});

Deno.test("a topic's own retention applies to it, the log's to the others", async () => {
  const { log, clock, close } = await openLog([
    { name: "plain", partitions: 1 },
    { name: "short", partitions: 1, retentionMs: 1_000 },
  ]);
  try {
    await log.produce("plain", [at(clock.now)]);
    await log.produce("short", [at(clock.now)]);
    // At the next run, a minute on, both records are a minute old: past the short retention only.
    clock.now += RETENTION_MS;
    await log.produce("plain", [at(clock.now)]);
    const topics = await log.describeTopics();
    assert.deepEqual(
      topics.map((t) => [t.name, t.retentionMs, t.partitions[0].low, t.partitions[0].high]),
      [["plain", RETENTION_MS, 0, 2], ["short", 1_000, 1, 1]],
    );
  } finally {
    await close();
  }
});

Deno.test("a log made before topics had their own retention gives it to a topic created again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-retention-" });
  const path = `${dir}/log.db`;
  const old = new DatabaseSync(path);
  old.exec(`
    CREATE TABLE topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
    INSERT INTO topics VALUES ('users.live', 1), ('users', 4);
  `);
  old.close();
  const log = new EmbeddedLog({ path, pollMs: 5, retentionMs: RETENTION_MS });
  try {
    await log.createTopics([
      { name: "users.live", partitions: 1, retentionMs: 1_000 },
      { name: "users", partitions: 4 },
    ]);
    const topics = await log.describeTopics();
    assert.deepEqual(
      topics.map((t) => [t.name, t.partitions.length, t.retentionMs]),
      [["users", 4, RETENTION_MS], ["users.live", 1, 1_000]],
    );
  } finally {
    await log.close();
    await Deno.remove(dir, { recursive: true });
  }
});
