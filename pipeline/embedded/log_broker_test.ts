import assert from "node:assert/strict";
import { EmbeddedLog, gatherFor } from "./log_broker.ts";
import { consumeCount, runBrokerContract } from "../testing/broker_contract.ts";
import { startWorker } from "../workers/protocol.ts";

const APPEND_WORKER = new URL("../testing/log_append_worker.ts", import.meta.url);

const dir = Deno.makeTempDirSync({ prefix: "streamboard-log-" });
const path = `${dir}/log.db`;

runBrokerContract("embedded log", () => Promise.resolve(new EmbeddedLog({ path, pollMs: 5 })));

/** A member of `groupId` on its own log instance, keeping what it reads and the partitions it holds. */
function member(topic: string, groupId: string) {
  const log = new EmbeddedLog({ path, pollMs: 5, leaseMs: 300 });
  const controller = new AbortController();
  const seen: number[] = [];
  const member = { log, controller, seen, held: [] as number[], done: Promise.resolve() };
  member.done = log.consume({
    groupId,
    topics: [topic],
    signal: controller.signal,
    onAssignment: (assignment) => void (member.held = assignment[topic] ?? []),
    handle: (batch) => {
      seen.push(...batch.records.map((r) => r.value[0]));
      return Promise.resolve();
    },
  });
  return member;
}

/** Waits until `done` holds, failing after 10 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Records whose keys spread them over every partition: value `i` for each `i` in `values`. */
function spread(values: number[]) {
  return values.map((i) => ({ key: `key-${i}`, value: new Uint8Array([i]) }));
}

Deno.test("embedded log: members of a group share its partitions, each record read once", async () => {
  const topic = `share-${crypto.randomUUID()}`;
  const setup = new EmbeddedLog({ path, pollMs: 5 });
  await setup.createTopics([{ name: topic, partitions: 4 }]);
  const first = member(topic, "share");
  const second = member(topic, "share");
  try {
    await until(() => first.held.length === 2 && second.held.length === 2, "each holds 2 of 4");
    assert.deepEqual([...first.held, ...second.held].sort(), [0, 1, 2, 3]);
    const values = Array.from({ length: 40 }, (_, i) => i);
    await setup.produce(topic, spread(values));
    await until(() => first.seen.length + second.seen.length >= 40, "all 40 are read");
    assert.ok(first.seen.length > 0 && second.seen.length > 0, "both members read");
    assert.deepEqual([...first.seen, ...second.seen].sort((a, b) => a - b), values);
  } finally {
    for (const m of [first, second]) m.controller.abort();
    await Promise.all([first.done, second.done]);
    await Promise.all([first.log.close(), second.log.close(), setup.close()]);
  }
});

Deno.test("embedded log: a member that leaves, or dies without leaving, leaves its share to the others from the committed offsets", async () => {
  const topic = `takeover-${crypto.randomUUID()}`;
  const setup = new EmbeddedLog({ path, pollMs: 5 });
  await setup.createTopics([{ name: topic, partitions: 4 }]);
  const first = member(topic, "takeover");
  const second = member(topic, "takeover");
  const third = member(topic, "takeover");
  try {
    await until(
      () => [first, second, third].every((m) => m.held.length > 0),
      "every member holds partitions",
    );
    await setup.produce(topic, spread(Array.from({ length: 30 }, (_, i) => i)));
    await until(() => first.seen.length + second.seen.length + third.seen.length >= 30, "30 read");
    first.controller.abort();
    await first.done;
    // Dies without leaving: its log closes under it (its consume fails) and its lease runs out.
    await second.log.close();
    await second.done.catch(() => {});
    await until(() => third.held.length === 4, "the last member holds every partition");
    await setup.produce(topic, spread(Array.from({ length: 30 }, (_, i) => 100 + i)));
    await until(() => third.seen.filter((v) => v >= 100).length >= 30, "the last member reads all");
    const all = [...first.seen, ...second.seen, ...third.seen].sort((a, b) => a - b);
    assert.deepEqual(all, [
      ...Array.from({ length: 30 }, (_, i) => i),
      ...Array.from({ length: 30 }, (_, i) => 100 + i),
    ], "nothing read twice, nothing lost");
  } finally {
    third.controller.abort();
    await third.done;
    await Promise.all([first.log.close(), third.log.close(), setup.close()]);
  }
});

Deno.test("embedded log: retention deletes records older than the limit", async () => {
  let now = 1_000_000;
  const log = new EmbeddedLog({
    path: `${dir}/retention.db`,
    pollMs: 5,
    retentionMs: 1000,
    now: () => now,
  });
  await log.createTopics([{ name: "t", partitions: 1 }]);
  await log.produce("t", [{ key: "old", value: new Uint8Array([1]) }]);
  now += 120_000;
  await log.produce("t", [{ key: "new", value: new Uint8Array([2]) }]);
  const got = await consumeCount(log, { groupId: "g", topics: ["t"], count: 1, timeoutMs: 2000 });
  assert.deepEqual(got.map((r) => [r.key, r.offset]), [["new", 1]]);
  await log.close();
});

Deno.test("embedded log: an append wakes the readers of its topic at once, in this process and another, long before the poll", async () => {
  // A poll of a minute: only the wake can deliver within the test's time.
  const writer = new EmbeddedLog({ path, pollMs: 60_000 });
  const reader = new EmbeddedLog({ path, pollMs: 60_000 });
  const [watched, other] = [`woken-${crypto.randomUUID()}`, `other-${crypto.randomUUID()}`];
  await writer.createTopics([{ name: watched, partitions: 2 }, { name: other, partitions: 2 }]);
  const stop = new AbortController();
  const arrivals: string[] = [];
  const tailing: Promise<void>[] = [];
  await Promise.all([writer, reader].map((log, i) =>
    new Promise<void>((onReady) => {
      tailing.push(log.tail({
        topics: [watched],
        signal: stop.signal,
        onReady,
        handle: (batch) => void arrivals.push(`${i}:${batch.records.length}`),
      }));
    })
  ));
  // An append elsewhere first, which wakes neither tail; then the watched topic's.
  await writer.produce(other, [{ key: "o", value: new Uint8Array([1]) }]);
  await writer.produce(watched, [{ key: "w", value: new Uint8Array([2]) }]);
  const deadline = Date.now() + 5_000;
  while (arrivals.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stop.abort();
  await Promise.all(tailing);
  assert.deepEqual(
    arrivals.sort(),
    ["0:1", "1:1"],
    "the writer's own tail and the other instance's tail each got the record within 5 s",
  );
  await writer.close();
  await reader.close();
});

Deno.test("embedded log: an append in another worker thread wakes a reader of its topic here at once, long before the poll", async () => {
  const reader = new EmbeddedLog({ path, pollMs: 60_000 });
  const topic = `from-worker-${crypto.randomUUID()}`;
  await reader.createTopics([{ name: topic, partitions: 1 }]);
  const stop = new AbortController();
  const arrived = Promise.withResolvers<number>();
  const ready = Promise.withResolvers<void>();
  const tailing = reader.tail({
    topics: [topic],
    signal: stop.signal,
    onReady: ready.resolve,
    handle: (batch) => arrived.resolve(batch.records[0].value[0]),
  });
  await ready.promise;
  const appended = await startWorker(APPEND_WORKER, { path, topic }).done;
  assert.equal(appended, 1);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => timer = setTimeout(() => resolve("late"), 5_000));
  assert.equal(await Promise.race([arrived.promise, late]), 7, "the record arrived within 5 s");
  clearTimeout(timer);
  stop.abort();
  await tailing;
  await reader.close();
});

Deno.test("embedded log: records appended while a reader handles a batch are read at once after it, long before the poll", async () => {
  // A poll of a minute: a reader that missed the appends would wait for it.
  const writer = new EmbeddedLog({ path, pollMs: 60_000 });
  const reader = new EmbeddedLog({ path, pollMs: 60_000 });
  const one = (value: number) => [{ key: "k", value: new Uint8Array([value]) }];
  for (const kind of ["consume", "tail"] as const) {
    const topic = `meanwhile-${kind}-${crypto.randomUUID()}`;
    await writer.createTopics([{ name: topic, partitions: 1 }]);
    const seen: number[] = [];
    // Handling the first record appends two, from the reader's own log and from
    // another's, and lets the other's message arrive before it returns.
    const handle = async (batch: { records: Array<{ value: Uint8Array }> }) => {
      for (const r of batch.records) seen.push(r.value[0]);
      if (batch.records[0].value[0] !== 1) return;
      await reader.produce(topic, one(2));
      await writer.produce(topic, one(3));
      await new Promise((r) => setTimeout(r, 100));
    };
    const stop = new AbortController();
    let reading: Promise<void>;
    if (kind === "consume") {
      const groupId = `g-${crypto.randomUUID()}`;
      reading = reader.consume({ groupId, topics: [topic], signal: stop.signal, handle });
    } else {
      const ready = Promise.withResolvers<void>();
      reading = reader.tail({
        topics: [topic],
        signal: stop.signal,
        onReady: ready.resolve,
        handle,
      });
      await ready.promise;
    }
    await writer.produce(topic, one(1));
    await until(() => seen.length >= 3, `the ${kind} read the records appended meanwhile`);
    assert.deepEqual(seen, [1, 2, 3], kind);
    stop.abort();
    await reading;
  }
  await writer.close();
  await reader.close();
});

/** The sizes of the batches `log` hands group `groupId` of `topic` until `count` records came. */
async function batchSizes(log: EmbeddedLog, topic: string, options: {
  count: number;
  produce: () => Promise<void>;
  maxBatch?: number;
}): Promise<number[]> {
  const sizes: number[] = [];
  const stop = new AbortController();
  const consuming = log.consume({
    groupId: `g-${crypto.randomUUID()}`,
    topics: [topic],
    signal: stop.signal,
    maxBatch: options.maxBatch,
    handle: (batch) => {
      sizes.push(batch.records.length);
      return Promise.resolve();
    },
  });
  await options.produce();
  await until(
    () => sizes.reduce((a, b) => a + b, 0) >= options.count,
    `${options.count} records came`,
  );
  stop.abort();
  await consuming;
  return sizes;
}

Deno.test("embedded log: with a fetch wait, records appended apart are handled in one batch; without, as they come", async () => {
  const one = (value: number) => [{ key: "k", value: new Uint8Array([value]) }];
  const [waiting, eager] = [1_000, 0].map((fetchWaitMs) =>
    new EmbeddedLog({ path, pollMs: 5, fetchWaitMs })
  );
  const sizesOf = async (log: EmbeddedLog) => {
    const topic = `gather-${crypto.randomUUID()}`;
    await log.createTopics([{ name: topic, partitions: 1 }]);
    return batchSizes(log, topic, {
      count: 2,
      produce: async () => {
        await log.produce(topic, one(1));
        await new Promise((r) => setTimeout(r, 100));
        await log.produce(topic, one(2));
      },
    });
  };
  assert.deepEqual(await sizesOf(waiting), [2], "both waited for the second, 100 ms later");
  assert.deepEqual(await sizesOf(eager), [1, 1], "each handled as it came");
  await waiting.close();
  await eager.close();
});

Deno.test("embedded log: a partition holding the fetch's least records is handled at once, fewer wait", async () => {
  const log = new EmbeddedLog({ path, pollMs: 5, fetchWaitMs: 60_000, fetchMinRecords: 3 });
  const topic = `least-${crypto.randomUUID()}`;
  await log.createTopics([{ name: topic, partitions: 1 }]);
  const started = Date.now();
  const sizes = await batchSizes(log, topic, {
    count: 3,
    produce: async () => {
      await log.produce(topic, [{ key: "k", value: new Uint8Array([1]) }]);
      await new Promise((r) => setTimeout(r, 100));
      await log.produce(topic, [2, 3].map((i) => ({ key: "k", value: new Uint8Array([i]) })));
    },
  });
  assert.deepEqual(sizes, [3], "the first record waited for the two after it");
  assert.ok(Date.now() - started < 5_000, "handled long before the minute's wait");
  await log.close();
});

Deno.test("embedded log: a full batch is handled at once, whatever the fetch wait", async () => {
  const log = new EmbeddedLog({ path, pollMs: 5, fetchWaitMs: 60_000 });
  const topic = `full-${crypto.randomUUID()}`;
  await log.createTopics([{ name: topic, partitions: 1 }]);
  const started = Date.now();
  const sizes = await batchSizes(log, topic, {
    count: 3,
    maxBatch: 3,
    produce: () =>
      log.produce(topic, [1, 2, 3].map((i) => ({ key: "k", value: new Uint8Array([i]) }))),
  });
  assert.deepEqual(sizes, [3]);
  assert.ok(Date.now() - started < 5_000, "handled long before the minute's wait");
  await log.close();
});

Deno.test("gatherFor: records wait from when they were first seen until the wait is over, unless a partition holds the least to handle at once", () => {
  const state = { waitMs: 20, minRecords: 500 };
  assert.deepEqual(gatherFor({ ...state, pending: 0, since: 5, now: 10 }), {
    ms: 0,
    since: undefined,
  });
  assert.deepEqual(gatherFor({ ...state, pending: 3, since: undefined, now: 100 }), {
    ms: 20,
    since: 100,
  });
  assert.deepEqual(gatherFor({ ...state, pending: 9, since: 100, now: 112 }), {
    ms: 8,
    since: 100,
  });
  assert.deepEqual(gatherFor({ ...state, pending: 9, since: 100, now: 125 }), {
    ms: 0,
    since: 100,
  });
  assert.deepEqual(gatherFor({ ...state, pending: 500, since: undefined, now: 100 }), {
    ms: 0,
    since: 100,
  });
  assert.deepEqual(gatherFor({ waitMs: 5, minRecords: 16, pending: 15, since: 40, now: 42 }), {
    ms: 3,
    since: 40,
  });
  assert.deepEqual(gatherFor({ waitMs: 5, minRecords: 16, pending: 16, since: 40, now: 42 }), {
    ms: 0,
    since: 40,
  });
  assert.deepEqual(gatherFor({ ...state, waitMs: 0, pending: 1, since: undefined, now: 7 }), {
    ms: 0,
    since: 7,
  });
});

Deno.test("embedded log: a reader finds another process's append at its next poll", async () => {
  const reader = new EmbeddedLog({ path, pollMs: 50 });
  const topic = `other-process-${crypto.randomUUID()}`;
  await reader.createTopics([{ name: topic, partitions: 2 }]);
  const stop = new AbortController();
  const arrived: number[] = [];
  await new Promise<void>((onReady) => {
    reader.tail({
      topics: [topic],
      signal: stop.signal,
      onReady,
      handle: (batch) => void arrived.push(...batch.records.map((r) => r.value[0])),
    }).catch(() => {});
  });
  const append = `
    import { EmbeddedLog } from ${JSON.stringify(new URL("./log_broker.ts", import.meta.url).href)};
    const log = new EmbeddedLog({ path: ${JSON.stringify(path)}, pollMs: 50 });
    await log.produce(${JSON.stringify(topic)}, [{ key: "a", value: new Uint8Array([7]) }]);
    await log.close();
  `;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", append],
    stdout: "null",
  }).output();
  assert.equal(code, 0, "the other process appended");
  await until(() => arrived.length === 1, "the reader had the other process's record");
  assert.deepEqual(arrived, [7]);
  stop.abort();
  await reader.close();
});
