/**
 * Event time as Apache Flink's DataStream windows define it (`WindowOperator`
 * with `BoundedOutOfOrdernessWatermarks` and the event-time trigger), case by
 * case, run twice: straight through, and with a crash after every step (the
 * partitions restored from their JSON checkpoints and the last record
 * delivered again). Both runs must give exactly the table's outputs.
 */

import assert from "node:assert/strict";
import { type Aggregation, type PartitionCheckpoint, tumbling, WindowEngine } from "./windows.ts";

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

function values(results: Array<{ start: number; value: number; final: boolean }>, final: boolean) {
  for (const r of results) assert.equal(r.final, final);
  return results.map((r): Value => [r.start, r.value]);
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
    const outcome = engine.add(step.partition, offset, step.ts, 1, step.now);
    if (step.late !== undefined) {
      assert.deepEqual(outcome, { kind: "late", watermark: step.late }, step.case);
    } else {
      assert.equal(outcome.kind, "added", step.case);
      if (outcome.kind !== "added") continue;
      assert.deepEqual(values(outcome.running, false), step.running ?? [], step.case);
      assert.deepEqual(values(outcome.closed, true), step.closed ?? [], step.case);
    }
    if (!crashAfterEachStep) continue;
    const saved = engine.held().map((partition) => ({
      partition,
      checkpoint: JSON.parse(JSON.stringify(engine.partition(partition)!.checkpoint())),
    }));
    engine = new WindowEngine(spec, count);
    for (const { partition, checkpoint } of saved) {
      engine.restore(partition, step.now, checkpoint);
    }
    assert.deepEqual(
      engine.add(step.partition, offset, step.ts, 1, step.now),
      { kind: "included" },
      `${step.case}: delivered again after the crash, not counted twice`,
    );
  }
  return engine.held().map((partition) => engine.partition(partition)!.checkpoint());
}

Deno.test("event time follows Flink's window semantics, case by case", () => {
  run(false);
});

Deno.test("a crash after any step and a restore from the checkpoints give the same outputs", () => {
  assert.deepEqual(run(true), run(false));
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
  const joined = engine.add(0, 1, 5_000, 1, 0);
  assert.equal(joined.kind === "added" && joined.running[0].value, 2);
  const fired = engine.add(0, 2, 12_500, 1, 0);
  assert.deepEqual(fired.kind === "added" && fired.closed, [
    { start: 0, end: 10_000, value: 2, final: true },
  ]);
});

Deno.test("fired windows within their allowed lateness are checkpointed", () => {
  const engine = new WindowEngine(spec, count);
  engine.restore(0, 0);
  engine.add(0, 0, 1_000, 1, 0);
  engine.add(0, 1, 12_000, 1, 0);
  const saved = engine.partition(0)!.checkpoint();
  assert.deepEqual(saved.fired, [{ start: 0, value: 1 }]);
  assert.deepEqual(saved.windows, [{ start: 10_000, value: 1 }]);
});
