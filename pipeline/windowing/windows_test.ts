import assert from "node:assert/strict";
import {
  type Aggregation,
  globalWindow,
  hopping,
  NOTHING,
  PartitionWindows,
  session,
  tumbling,
  WindowEngine,
  windowStartsOf,
} from "./windows.ts";
import { seededRandom } from "../random.ts";

const count: Aggregation<number, number> = { empty: () => 0, add: (acc, v) => acc + v };
const MIN = 60_000;
/** Event times in these tests run up to an hour ahead of their processing clock (0). */
const spec = tumbling(2 * MIN, {
  outOfOrdernessMs: 10_000,
  allowedLatenessMs: 0,
  idleTimeoutMs: 5_000,
  maxFutureMs: 60 * MIN,
});

Deno.test("tumbling windows hold each event time in exactly one window", () => {
  assert.deepEqual(windowStartsOf(0, spec), [0]);
  assert.deepEqual(windowStartsOf(2 * MIN - 1, spec), [0]);
  assert.deepEqual(windowStartsOf(2 * MIN, spec), [2 * MIN]);
});

Deno.test("hopping windows hold an event time in size/slide windows", () => {
  const h = hopping(10_000, 1_000, {
    outOfOrdernessMs: 0,
    allowedLatenessMs: 0,
    idleTimeoutMs: 1,
    maxFutureMs: 0,
  });
  const starts = windowStartsOf(25_500, h);
  assert.equal(starts.length, 10);
  assert.equal(starts[0], 16_000);
  assert.equal(starts[9], 25_000);
  for (const s of starts) assert.ok(s <= 25_500 && 25_500 < s + 10_000);
  assert.throws(
    () =>
      hopping(10_000, 3_000, {
        outOfOrdernessMs: 0,
        allowedLatenessMs: 0,
        idleTimeoutMs: 1,
        maxFutureMs: 0,
      }),
    RangeError,
  );
});

Deno.test("out-of-order records within the out-of-orderness bound still count", () => {
  const w = new PartitionWindows({ spec, aggregation: count, now: 0 });
  w.add({ offset: 0, ts: 100_000, value: 1, now: 0 });
  const outcome = w.add({ offset: 1, ts: 95_000, value: 1, now: 0 });
  assert.equal(outcome.kind, "added");
  assert.deepEqual(w.open().map((r) => [r.start, r.value]), [[0, 2]]);
});

Deno.test("a record whose every window has fired is late and changes nothing", () => {
  const w = new PartitionWindows({ spec, aggregation: count, now: 0 });
  w.add({ offset: 0, ts: 100_000, value: 1, now: 0 }); // watermark 90 s: [0, 2 min) still open
  assert.equal(
    w.add({ offset: 1, ts: 89_999, value: 1, now: 0 }).kind,
    "added",
    "older than the watermark, window open",
  );
  w.add({ offset: 2, ts: 2 * MIN + 20_000, value: 1, now: 0 }); // watermark 2 min + 10 s: [0, 2 min) fired
  const late = w.add({ offset: 3, ts: 60_000, value: 1, now: 0 });
  assert.deepEqual(late, { kind: "late", watermark: 2 * MIN + 10_000 });
  assert.deepEqual(w.open().map((r) => r.value), [1]);
  assert.equal(w.offset, 3, "the late record is still consumed");
});

Deno.test("running values on each update, the final value once when the watermark passes the end", () => {
  const w = new PartitionWindows({ spec, aggregation: count, now: 0 });
  const first = w.add({ offset: 0, ts: 10_000, value: 5, now: 0 });
  assert.equal(first.kind, "added");
  if (first.kind !== "added") return;
  assert.deepEqual(first.running, [{ start: 0, end: 2 * MIN, value: 5, final: false }]);
  assert.deepEqual(first.closed, []);
  // 2 min + 9.998 s: watermark 119 998 ms, window [0, 120 000) still open
  const open = w.add({ offset: 1, ts: 2 * MIN + 9_998, value: 1, now: 0 });
  assert.equal(open.kind === "added" && open.closed.length, 0);
  // watermark 119 999 ms: the window's last millisecond, so it fires
  const close = w.add({ offset: 2, ts: 2 * MIN + 9_999, value: 1, now: 0 });
  assert.equal(close.kind, "added");
  if (close.kind !== "added") return;
  assert.deepEqual(close.closed, [{ start: 0, end: 2 * MIN, value: 5, final: true }]);
  const again = w.add({ offset: 3, ts: 2 * MIN + 20_000, value: 1, now: 0 });
  assert.equal(again.kind === "added" && again.closed.length, 0, "closed only once");
  assert.equal(
    w.add({ offset: 4, ts: 60_000, value: 1, now: 0 }).kind,
    "late",
    "nothing joins a closed window",
  );
});

Deno.test("a restart from a checkpoint continues exactly: replayed offsets are not added twice", () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ offset: i, ts: i * 7_000, v: i + 1 }));
  const whole = new PartitionWindows({ spec, aggregation: count, now: 0 });
  const closedWhole: Array<[number, number]> = [];
  for (const r of records) {
    const o = whole.add({ offset: r.offset, ts: r.ts, value: r.v, now: 0 });
    if (o.kind === "added") {
      closedWhole.push(...o.closed.map((c) => [c.start, c.value] as [number, number]));
    }
  }
  // Crash after offset 29 was checkpointed; offsets 20..49 are delivered again.
  const before = new PartitionWindows({ spec, aggregation: count, now: 0 });
  const closedSplit: Array<[number, number]> = [];
  for (const r of records.slice(0, 30)) {
    const o = before.add({ offset: r.offset, ts: r.ts, value: r.v, now: 0 });
    if (o.kind === "added") {
      closedSplit.push(...o.closed.map((c) => [c.start, c.value] as [number, number]));
    }
  }
  const saved = JSON.parse(JSON.stringify(before.checkpoint()));
  const after = new PartitionWindows({ spec, aggregation: count, now: 0, checkpoint: saved });
  for (const r of records.slice(20)) {
    const o = after.add({ offset: r.offset, ts: r.ts, value: r.v, now: 0 });
    if (r.offset < 30) assert.equal(o.kind, "included");
    if (o.kind === "added") {
      closedSplit.push(...o.closed.map((c) => [c.start, c.value] as [number, number]));
    }
  }
  assert.deepEqual(closedSplit, closedWhole);
  assert.deepEqual(after.checkpoint(), whole.checkpoint());
});

Deno.test("an idle partition follows the most advanced active one and closes its windows", () => {
  const engine = new WindowEngine(spec, count);
  engine.restore(0, 0);
  engine.restore(1, 0);
  engine.add({ partition: 0, offset: 0, ts: 30_000, value: 1, now: 0 });
  engine.add({ partition: 1, offset: 0, ts: 30_000, value: 1, now: 0 });
  // Partition 0 moves on; partition 1 goes quiet with its first window open.
  engine.add({ partition: 0, offset: 1, ts: 10 * MIN, value: 1, now: 4_000 });
  assert.deepEqual(engine.tick(4_999), [], "not idle before the timeout");
  const closes = engine.tick(5_000);
  assert.deepEqual(closes, [{
    partition: 1,
    closed: [{ start: 0, end: 2 * MIN, value: 1, final: true }],
  }]);
  assert.equal(engine.partition(1)!.watermark, 10 * MIN - 10_000);
  assert.equal(
    engine.add({ partition: 1, offset: 1, ts: 9 * MIN, value: 1, now: 6_000 }).kind,
    "added",
    "[8 min, 10 min) is open",
  );
  assert.equal(
    engine.add({ partition: 1, offset: 2, ts: 7 * MIN, value: 1, now: 6_000 }).kind,
    "late",
    "[6 min, 8 min) has fired",
  );
});

Deno.test("when every partition is idle the watermark stays where event time left it", () => {
  const engine = new WindowEngine(spec, count);
  engine.restore(0, 0);
  engine.add({ partition: 0, offset: 0, ts: 30_000, value: 1, now: 0 });
  assert.deepEqual(engine.tick(3_600_000), []);
  assert.equal(engine.partition(0)!.open().length, 1);
});

Deno.test("adding to a partition that was not restored is refused", () => {
  const engine = new WindowEngine(spec, count);
  assert.throws(() => engine.add({ partition: 3, offset: 0, ts: 0, value: 1, now: 0 }), RangeError);
});

const HOUR = 60 * MIN;
const YEAR_2099 = Date.UTC(2099, 0, 1);

Deno.test("an event time past the clock plus the future bound is refused and moves nothing", () => {
  const w = new PartitionWindows({ spec, aggregation: count, now: 0 });
  w.add({ offset: 0, ts: 30_000, value: 1, now: 0 });
  assert.deepEqual(w.add({ offset: 1, ts: HOUR + 1, value: 1, now: 0 }), {
    kind: "future",
    limit: HOUR,
  });
  assert.deepEqual(w.add({ offset: 2, ts: YEAR_2099, value: 1, now: 0 }), {
    kind: "future",
    limit: HOUR,
  });
  assert.equal(w.offset, 2, "the refused records are consumed");
  assert.equal(w.watermark, 20_000, "the watermark stays where the valid record put it");
  assert.deepEqual(w.open().map((r) => [r.start, r.value]), [[0, 1]]);
  assert.equal(
    w.add({ offset: 3, ts: 40_000, value: 1, now: 0 }).kind,
    "added",
    "the next record on time still counts",
  );
  assert.equal(
    w.add({ offset: 4, ts: HOUR, value: 1, now: 0 }).kind,
    "added",
    "exactly at the bound counts",
  );
  // The clock moves on: what was too far ahead is now allowed, and old event times stay valid.
  assert.equal(w.add({ offset: 5, ts: YEAR_2099, value: 1, now: YEAR_2099 - HOUR }).kind, "added");
});

Deno.test("a replay of old history is not refused: only the future is bounded", () => {
  const w = new PartitionWindows({ spec, aggregation: count, now: Date.UTC(2026, 10, 30) });
  assert.equal(
    w.add({ offset: 0, ts: Date.UTC(2025, 0, 1), value: 1, now: Date.UTC(2026, 10, 30) }).kind,
    "added",
  );
});

Deno.test("an aggregation that throws leaves the partition exactly as it was", () => {
  const h = hopping(10_000, 1_000, {
    outOfOrdernessMs: 0,
    allowedLatenessMs: 0,
    idleTimeoutMs: 1,
    maxFutureMs: HOUR,
  });
  let calls = 0;
  // Fails on the third window the record falls in, after two succeeded.
  const fragile: Aggregation<number, number> = {
    empty: () => 0,
    add: (acc, v) => {
      if (v < 0 && ++calls === 3) throw new Error("total does not fit");
      return acc + v;
    },
  };
  const w = new PartitionWindows({ spec: h, aggregation: fragile, now: 0 });
  w.add({ offset: 0, ts: 15_000, value: 1, now: 0 });
  const before = w.checkpoint();
  assert.throws(() => w.add({ offset: 1, ts: 15_500, value: -1, now: 0 }), /does not fit/);
  assert.deepEqual(w.checkpoint(), before, "no window, offset or event time changed");
  assert.equal(w.pass(1, 0), true, "the offset is still there to be passed (dead-lettered)");
  assert.throws(() => w.add({ offset: 2, ts: Number.NaN, value: 1, now: 0 }), RangeError);
  assert.equal(w.offset, 1);
});

Deno.test("a checkpoint poisoned by an event time in 2099 is healed on restore", () => {
  const poisoned = new PartitionWindows({
    spec: tumbling(2 * MIN, {
      outOfOrdernessMs: 10_000,
      allowedLatenessMs: 0,
      idleTimeoutMs: 5_000,
      maxFutureMs: 1e15,
    }),
    aggregation: count,
    now: 0,
  });
  poisoned.add({ offset: 0, ts: 30_000, value: 1, now: 0 });
  poisoned.add({ offset: 1, ts: 3 * MIN, value: 1, now: 0 });
  poisoned.add({ offset: 2, ts: YEAR_2099, value: 1, now: 0 });
  const saved = JSON.parse(JSON.stringify(poisoned.checkpoint()));
  assert.equal(saved.watermark, YEAR_2099 - 10_000);

  const now = 10 * MIN;
  const engine = new WindowEngine(spec, count);
  const healed = engine.restore(0, now, saved);
  assert.deepEqual(healed, {
    maxEventTime: YEAR_2099,
    watermark: YEAR_2099 - 10_000,
    nowMaxEventTime: now,
    nowWatermark: now - 10_000,
    dropped: 1,
  });
  const w = engine.partition(0)!;
  assert.deepEqual(w.open(), [], "the 2099 window is gone (the 2099 record closed the others)");
  assert.equal(
    engine.add({ partition: 0, offset: 3, ts: now, value: 1, now }).kind,
    "added",
    "a record on time counts again",
  );
  assert.equal(w.checkpoint().watermark, now - 10_000);
  assert.equal(engine.restore(1, now, w.checkpoint()), undefined, "a sound checkpoint is kept");
});

Deno.test("session windows need a whole positive gap and an aggregation that merges", () => {
  const timing = { outOfOrdernessMs: 0, allowedLatenessMs: 0, idleTimeoutMs: 1, maxFutureMs: 0 };
  assert.throws(() => session(0, timing), RangeError);
  assert.throws(() => session(1.5, timing), RangeError);
  assert.throws(
    () => new PartitionWindows({ spec: session(1_000, timing), aggregation: count, now: 0 }),
    /merge/,
  );
});

/** Records per user's session, keyed by the user a record names. */
const perUser: Aggregation<string, number> = {
  empty: () => 0,
  add: (n) => n + 1,
  merge: (a, b) => a + b,
  key: (user) => user,
};

/** Session windows of `gapMs` with the given out-of-orderness and allowed lateness. */
function sessions(gapMs: number, outOfOrdernessMs: number, allowedLatenessMs = 0) {
  return session(gapMs, {
    outOfOrdernessMs,
    allowedLatenessMs,
    idleTimeoutMs: 1,
    maxFutureMs: HOUR,
  });
}

Deno.test("sessions of different keys never merge, and touching sessions of one key do", () => {
  const gap = sessions(10_000, 60_000);
  const w = new PartitionWindows({ spec: gap, aggregation: perUser, now: 0 });
  w.add({ offset: 0, ts: 0, value: "a", now: 0 });
  w.add({ offset: 1, ts: 5_000, value: "b", now: 0 });
  w.add({ offset: 2, ts: 10_000, value: "a", now: 0 }); // touches [0, 10 s): Flink's windows intersect at their ends
  assert.deepEqual(w.open().map((r) => [r.key, r.start, r.end, r.value]), [
    ["a", 0, 20_000, 2],
    ["b", 5_000, 15_000, 1],
  ]);
});

Deno.test("sessions of many keys, out of order, go on from a checkpoint exactly as in memory", () => {
  const gap = sessions(10_000, 4_000, 3_000);
  const retiring: Aggregation<string, number> = {
    ...perUser,
    retire: (total, w) => (typeof total === "number" ? total : 0) + w.value,
  };
  const random = seededRandom(13);
  let memory = new PartitionWindows({ spec: gap, aggregation: retiring, now: 0 });
  let ts = 0;
  for (let offset = 0; offset < 3_000; offset++) {
    // Restored from its checkpoint, a partition rebuilds what it holds from scratch: what it
    // kept up to date record by record must give the same outcome for the next record.
    const restored = new PartitionWindows({
      spec: gap,
      aggregation: retiring,
      now: 0,
      checkpoint: JSON.parse(JSON.stringify(memory.checkpoint())),
    });
    ts += random.int(0, 400);
    const record = {
      offset,
      ts: ts - random.int(0, 9_000), // up to 9 s out of order: some late, some within lateness
      value: `user-${random.int(1, 40)}`,
      now: 0,
    };
    const outcome = memory.add(record);
    assert.deepEqual(restored.add(record), outcome, `record ${offset}`);
    assert.deepEqual(restored.checkpoint(), memory.checkpoint(), `record ${offset}`);
    // Now and then carry on with the restored one, so both paths are walked further.
    if (random.int(0, 9) === 0) memory = restored;
  }
  const kinds = new Set<string>();
  assert.ok(memory.retired !== undefined, "sessions were dropped at their cleanup time");
  for (const r of [...memory.open(), ...memory.fired()]) kinds.add(r.final ? "fired" : "open");
  assert.deepEqual([...kinds].sort(), ["fired", "open"]);
});

Deno.test("a record costs the same however many sessions of other keys are held", () => {
  const gap = sessions(2 * MIN, 5_000);
  // Microseconds per record with `held` sessions open, every one of them within the gap.
  const perRecord = (held: number) => {
    const w = new PartitionWindows({ spec: gap, aggregation: perUser, now: 0 });
    let offset = 0;
    for (let user = 0; user < held; user++) {
      w.add({ offset: offset++, ts: user, value: `user-${user}`, now: 0 });
    }
    const records = 2_000;
    const start = performance.now();
    for (let i = 0; i < records; i++) {
      w.add({ offset: offset++, ts: held + i, value: `user-${i % held}`, now: 0 });
    }
    return (performance.now() - start) * 1_000 / records;
  };
  perRecord(100); // warm up
  const few = Math.min(perRecord(100), perRecord(100));
  const many = Math.min(perRecord(20_000), perRecord(20_000));
  // Looking at every session held made 20,000 cost 250 times 100 (1,153 µs against 4.6 µs a record).
  assert.ok(
    many < few * 10 + 20,
    `${many.toFixed(1)} µs per record with 20,000 sessions held, ${few.toFixed(1)} µs with 100`,
  );
});

Deno.test("the global window never fires: no record is late, offsets and event time are kept", () => {
  const g = globalWindow({
    outOfOrdernessMs: 5_000,
    allowedLatenessMs: 0,
    idleTimeoutMs: 5_000,
    maxFutureMs: 60 * MIN,
  });
  // A checkpoint of an earlier version held per-minute windows: they are let go.
  const old = {
    offset: 4,
    maxEventTime: 10 * MIN,
    watermark: 10 * MIN - 5_000,
    windows: [{ start: 9 * MIN, value: 3 }],
  };
  const p = new PartitionWindows({ spec: g, aggregation: NOTHING, now: 0, checkpoint: old });
  assert.deepEqual(p.add({ offset: 5, ts: 20 * MIN, value: 1, now: 0 }), {
    kind: "added",
    running: [],
    closed: [],
  });
  assert.deepEqual(p.add({ offset: 6, ts: 0, value: 1, now: 0 }), {
    kind: "added",
    running: [],
    closed: [],
  }, "an hour old");
  assert.deepEqual(p.add({ offset: 6, ts: 0, value: 1, now: 0 }), { kind: "included" });
  assert.deepEqual(p.add({ offset: 7, ts: 61 * MIN, value: 1, now: 0 }), {
    kind: "future",
    limit: 60 * MIN,
  });
  assert.deepEqual(p.checkpoint(), {
    offset: 7,
    maxEventTime: 20 * MIN,
    watermark: 20 * MIN - 5_000,
    windows: [],
    fired: [],
  });
});
