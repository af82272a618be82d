/**
 * Event time as Apache Flink's DataStream windows define it (`WindowOperator`
 * with `BoundedOutOfOrdernessWatermarks` and the event-time trigger), case by
 * case, run twice: straight through, and with a crash after every step (the
 * partitions restored from their JSON checkpoints and the last record
 * delivered again). Both runs must give exactly the table's outputs.
 */

import assert from "node:assert/strict";
import {
  type Aggregation,
  type PartitionCheckpoint,
  session,
  tumbling,
  WindowEngine,
  type WindowResult,
} from "./windows.ts";

const count: Aggregation<number, number> = { empty: () => 0, add: (acc, v) => acc + v };
/** 10 s windows; the watermark trails by 2 s; a fired window takes records for 5 s more. */
const spec = tumbling(10_000, {
  outOfOrdernessMs: 2_000,
  allowedLatenessMs: 5_000,
  idleTimeoutMs: 5_000,
  maxFutureMs: 3_600_000,
});

/** [window start, value] */
type Value = [number, number];

type Step =
  | {
    case: string;
    partition: number;
    ts: number;
    now: number;
    running?: Value[];
    closed?: Value[];
    late?: number;
  }
  | { case: string; tick: number; closed: Array<{ partition: number; closed: Value[] }> };

const STEPS: Step[] = [
  { case: "first record", partition: 0, ts: 1_000, now: 0, running: [[0, 1]] },
  { case: "watermark 1 s", partition: 0, ts: 3_000, now: 0, running: [[0, 2]] },
  {
    case: "out of order within the bound",
    partition: 0,
    ts: 2_000,
    now: 0,
    running: [[0, 3]],
  },
  {
    case: "older than the watermark (1 s), its window open: counted",
    partition: 0,
    ts: 500,
    now: 0,
    running: [[0, 4]],
  },
  {
    case: "watermark 10 s passes [0, 10 s)'s last ms: it fires",
    partition: 0,
    ts: 12_000,
    now: 0,
    running: [[10_000, 1]],
    closed: [[0, 4]],
  },
  {
    case: "late after firing, within allowed lateness: the window fires again",
    partition: 0,
    ts: 8_000,
    now: 0,
    closed: [[0, 5]],
  },
  {
    case: "watermark 15 s: [0, 10 s) is past its cleanup time (9 999 + 5 000)",
    partition: 0,
    ts: 17_000,
    now: 0,
    running: [[10_000, 2]],
  },
  { case: "beyond allowed lateness: late", partition: 0, ts: 9_000, now: 0, late: 15_000 },
  { case: "partition 1 starts", partition: 1, ts: 1_000, now: 0, running: [[0, 1]] },
  {
    case: "partition 0 moves on alone: partition 1 does not hold its watermark back",
    partition: 0,
    ts: 25_000,
    now: 6_000,
    running: [[20_000, 1]],
    closed: [[10_000, 2]],
  },
  {
    case: "idle partition 1 follows the most advanced watermark (23 s) and fires",
    tick: 11_000,
    closed: [{ partition: 1, closed: [[0, 1]] }],
  },
  {
    case: "partition 1's window was cleaned up with it: late",
    partition: 1,
    ts: 2_000,
    now: 12_000,
    late: 23_000,
  },
];

/** Sessions of a user: events counted; the sessions dropped at cleanup are totalled. */
const events: Aggregation<{ user: string }, number> = {
  empty: () => 0,
  add: (n) => n + 1,
  merge: (a, b) => a + b,
  key: ({ user }) => user,
  retire: (total, window) => {
    const { sessions, events } = (total ?? { sessions: 0, events: 0 }) as Record<string, number>;
    return { sessions: sessions + 1, events: events + window.value };
  },
};
/** Sessions end after 10 s without a record of their user; same timing as `spec`. */
const sessions = session(10_000, {
  outOfOrdernessMs: 2_000,
  allowedLatenessMs: 5_000,
  idleTimeoutMs: 5_000,
  maxFutureMs: 3_600_000,
});

/** [user, session start, session end, events] */
type Session = [string, number, number, number];

const SESSION_STEPS: Array<
  { case: string; user: string; ts: number; running?: Session[]; closed?: Session[]; late?: number }
> = [
  {
    case: "a record opens [ts, ts + gap)",
    user: "a",
    ts: 1_000,
    running: [["a", 1_000, 11_000, 1]],
  },
  {
    case: "a record within the gap extends the session",
    user: "a",
    ts: 5_000,
    running: [["a", 1_000, 15_000, 2]],
  },
  {
    case: "another key has its own session",
    user: "b",
    ts: 6_000,
    running: [["b", 6_000, 16_000, 1]],
  },
  {
    case: "a record past the gap opens a new session; the watermark (18 s) fires both sessions",
    user: "a",
    ts: 20_000,
    running: [["a", 20_000, 30_000, 1]],
    closed: [["a", 1_000, 15_000, 2], ["b", 6_000, 16_000, 1]],
  },
  {
    case: "a record just past the gap opens a second open session of the same key",
    user: "a",
    ts: 31_000,
    running: [["a", 31_000, 41_000, 1]],
  },
  {
    case: "a record bridging two sessions merges them into one",
    user: "a",
    ts: 28_000,
    running: [["a", 20_000, 41_000, 3]],
  },
  {
    case: "the watermark (43 s) passes the merged session's end: it fires whole",
    user: "b",
    ts: 45_000,
    running: [["b", 45_000, 55_000, 1]],
    closed: [["a", 20_000, 41_000, 3]],
  },
  {
    case: "late within allowed lateness: the record joins the fired session, which fires again",
    user: "a",
    ts: 32_000,
    closed: [["a", 20_000, 42_000, 4]],
  },
  {
    case: "a record extending a fired session past the watermark opens it again",
    user: "a",
    ts: 36_000,
    running: [["a", 20_000, 46_000, 5]],
  },
  {
    case: "watermark 58 s: both fire; [20 s, 46 s) is past its cleanup time too and is retired",
    user: "b",
    ts: 60_000,
    running: [["b", 60_000, 70_000, 1]],
    closed: [["a", 20_000, 46_000, 5], ["b", 45_000, 55_000, 1]],
  },
  {
    case: "beyond allowed lateness and touching no live session: late",
    user: "a",
    ts: 30_000,
    late: 58_000,
  },
  {
    case: "an old record touching a session within its lateness merges, then fires again",
    user: "b",
    ts: 44_000,
    closed: [["b", 44_000, 55_000, 2]],
  },
];

function values(results: Array<{ start: number; value: number; final: boolean }>, final: boolean) {
  for (const r of results) assert.equal(r.final, final);
  return results.map((r): Value => [r.start, r.value]);
}

function sessionValues(results: WindowResult<number>[], final: boolean) {
  for (const r of results) assert.equal(r.final, final);
  return results.map((r): Session => [r.key!, r.start, r.end, r.value]);
}

function run(crashAfterEachStep: boolean) {
  let engine = new WindowEngine(spec, count);
  const offsets = new Map<number, number>();
  for (const partition of [0, 1]) engine.restore(partition, 0);
  for (const step of STEPS) {
    if ("tick" in step) {
      const fired = engine.tick(step.tick)
        .map(({ partition, closed }) => ({ partition, closed: values(closed, true) }));
      assert.deepEqual(fired, step.closed, step.case);
      continue;
    }
    const offset = (offsets.get(step.partition) ?? -1) + 1;
    offsets.set(step.partition, offset);
    const outcome = engine.add({
      partition: step.partition,
      offset,
      ts: step.ts,
      value: 1,
      now: step.now,
    });
    if (step.late !== undefined) {
      assert.deepEqual(outcome, { kind: "late", watermark: step.late }, step.case);
    } else {
      assert.equal(outcome.kind, "added", step.case);
      if (outcome.kind !== "added") continue;
      assert.deepEqual(values(outcome.running, false), step.running ?? [], step.case);
      assert.deepEqual(values(outcome.closed, true), step.closed ?? [], step.case);
    }
    if (!crashAfterEachStep) continue;
    engine = crashAndRestore(engine, count, step.now);
    assert.deepEqual(
      engine.add({ partition: step.partition, offset, ts: step.ts, value: 1, now: step.now }),
      { kind: "included" },
      `${step.case}: delivered again after the crash, not counted twice`,
    );
  }
  return engine.held().map((partition) => engine.partition(partition)!.checkpoint());
}

/** A new engine of the same windows restored from the JSON checkpoints of `engine`'s partitions. */
function crashAndRestore<V>(
  engine: WindowEngine<V, number>,
  aggregation: Aggregation<V, number>,
  now: number,
): WindowEngine<V, number> {
  const saved = engine.held().map((partition) => ({
    partition,
    checkpoint: JSON.parse(JSON.stringify(engine.partition(partition)!.checkpoint())),
  }));
  const restored = new WindowEngine(engine.spec, aggregation);
  for (const { partition, checkpoint } of saved) restored.restore(partition, now, checkpoint);
  return restored;
}

function runSessions(crashAfterEachStep: boolean) {
  let engine = new WindowEngine(sessions, events);
  engine.restore(0, 0);
  for (const [offset, step] of SESSION_STEPS.entries()) {
    const outcome = engine.add({
      partition: 0,
      offset,
      ts: step.ts,
      value: { user: step.user },
      now: 0,
    });
    if (step.late !== undefined) {
      assert.deepEqual(outcome, { kind: "late", watermark: step.late }, step.case);
    } else {
      assert.equal(outcome.kind, "added", step.case);
      if (outcome.kind !== "added") continue;
      assert.deepEqual(sessionValues(outcome.running, false), step.running ?? [], step.case);
      assert.deepEqual(sessionValues(outcome.closed, true), step.closed ?? [], step.case);
    }
    if (!crashAfterEachStep) continue;
    engine = crashAndRestore(engine, events, 0);
    assert.deepEqual(
      engine.add({ partition: 0, offset, ts: step.ts, value: { user: step.user }, now: 0 }),
      { kind: "included" },
      `${step.case}: delivered again after the crash, not counted twice`,
    );
  }
  return engine.partition(0)!.checkpoint();
}

Deno.test("event time follows Flink's window semantics, case by case", () => {
  run(false);
});

Deno.test("a crash after any step and a restore from the checkpoints give the same outputs", () => {
  assert.deepEqual(run(true), run(false));
});

Deno.test("session windows follow Flink's merging semantics, case by case", () => {
  const state = runSessions(false);
  assert.deepEqual(state.retired, { sessions: 3, events: 8 }, "retired sessions are totalled");
  assert.deepEqual(state.fired, [{ key: "b", start: 44_000, end: 55_000, value: 2 }]);
  assert.deepEqual(state.windows, [{ key: "b", start: 60_000, end: 70_000, value: 1 }]);
});

Deno.test("sessions: a crash after any step and a restore from the checkpoints give the same outputs", () => {
  assert.deepEqual(runSessions(true), runSessions(false));
});

Deno.test("a checkpoint saved before fired windows were kept still restores", () => {
  const old: PartitionCheckpoint<number> = {
    offset: 3,
    maxEventTime: 12_000,
    watermark: 10_000,
    windows: [{ start: 10_000, value: 2 }],
  };
  const engine = new WindowEngine(spec, count);
  assert.equal(engine.restore(0, 0, old), undefined);
  const w = engine.partition(0)!;
  assert.deepEqual(w.open().map((r) => [r.start, r.value]), [[10_000, 2]]);
  assert.deepEqual(w.fired(), []);
  assert.deepEqual(w.checkpoint(), { ...old, fired: [] });
});

Deno.test("a window an earlier version left open at its last millisecond fires on the next advance, whole", () => {
  // The earlier version closed a window only once the watermark reached its end.
  const old: PartitionCheckpoint<number> = {
    offset: 0,
    maxEventTime: 11_999,
    watermark: 9_999,
    windows: [{ start: 0, value: 1 }],
  };
  const engine = new WindowEngine(spec, count);
  engine.restore(0, 0, old);
  const joined = engine.add({ partition: 0, offset: 1, ts: 5_000, value: 1, now: 0 });
  assert.equal(joined.kind === "added" && joined.running[0].value, 2);
  const fired = engine.add({ partition: 0, offset: 2, ts: 12_500, value: 1, now: 0 });
  assert.deepEqual(fired.kind === "added" && fired.closed, [
    { start: 0, end: 10_000, value: 2, final: true },
  ]);
});

Deno.test("fired windows within their allowed lateness are checkpointed", () => {
  const engine = new WindowEngine(spec, count);
  engine.restore(0, 0);
  engine.add({ partition: 0, offset: 0, ts: 1_000, value: 1, now: 0 });
  engine.add({ partition: 0, offset: 1, ts: 12_000, value: 1, now: 0 });
  const saved = engine.partition(0)!.checkpoint();
  assert.deepEqual(saved.fired, [{ start: 0, value: 1 }]);
  assert.deepEqual(saved.windows, [{ start: 10_000, value: 1 }]);
});
