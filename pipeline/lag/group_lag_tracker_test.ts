import assert from "node:assert/strict";
import { GroupLagTracker } from "./group_lag_tracker.ts";

const SAMPLE_MS = 1000;
const MEMBER = [{ id: "m-1", client: "streamboard", partitions: [] }];

/** One sample: topic `t` with one partition at `end`, group `g` committed at `committed`. */
function sample(
  tracker: GroupLagTracker,
  at: number,
  s: { end: number; committed: number; members?: typeof MEMBER },
) {
  tracker.observe(
    at,
    [{ name: "t", partitions: [{ partition: 0, low: 0, high: s.end }] }],
    [{
      group: "g",
      state: s.members?.length === 0 ? "empty" : "stable",
      members: s.members ?? MEMBER,
      offsets: [{ topic: "t", partition: 0, committed: s.committed }],
    }],
  );
}

Deno.test("a group keeping up is OK with zero lag", () => {
  const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS, windowSamples: 5 });
  for (let i = 0; i < 8; i++) sample(tracker, i * 1000, { end: i * 10, committed: i * 10 });
  const [g] = tracker.lagView();
  assert.equal(g.status, "OK");
  assert.equal(g.lag, 0);
  assert.equal(g.lagSeconds, 0);
  assert.deepEqual(g.partitions[0], {
    partition: 0,
    committed: 70,
    end: 70,
    lag: 0,
    lagSeconds: 0,
    status: "OK",
  });
});

Deno.test("a commit read after the end offsets shows the end where it committed, not behind it", () => {
  const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS });
  sample(tracker, 0, { end: 121, committed: 126 });
  assert.deepEqual(tracker.lagView()[0].partitions[0], {
    partition: 0,
    committed: 126,
    end: 126,
    lag: 0,
    lagSeconds: 0,
    status: "OK",
  });
});

Deno.test("a member stuck on one offset under load is STALL, with lag seconds growing", () => {
  const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS, windowSamples: 5 });
  const seconds: Array<number | null> = [];
  for (let i = 0; i < 8; i++) {
    sample(tracker, i * 1000, { end: 100 + i * 10, committed: 95 });
    seconds.push(tracker.lagView()[0].lagSeconds);
  }
  const [g] = tracker.lagView();
  assert.equal(g.status, "STALL");
  assert.equal(g.lag, 75);
  // 10 records a second from offset 100 at t=0: offset 95 was passed at t=-0.5 s.
  assert.deepEqual(seconds, [null, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
});

Deno.test("a group whose members left while records came is STOP once gone longer than its window spans", () => {
  const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS, windowSamples: 5 });
  for (let i = 0; i < 5; i++) {
    sample(tracker, i * 1000, { end: i * 10 + (i % 2) * 3, committed: i * 10 });
  }
  assert.equal(tracker.lagView()[0].status, "OK", "caught up now and then: moving along");
  const statuses = [];
  for (let i = 5; i < 15; i++) {
    sample(tracker, i * 1000, { end: i * 10, committed: 40, members: [] });
    statuses.push(tracker.lagView()[0].status);
  }
  // The window spans 4 s (0..4 s): STOP once the last commit is more than 4 s old.
  assert.deepEqual(statuses.slice(0, 4), ["OK", "OK", "OK", "OK"]);
  assert.deepEqual(statuses.slice(4), ["STOP", "STOP", "STOP", "STOP", "STOP", "STOP"]);
  assert.equal(tracker.lagView()[0].state, "empty");
});

Deno.test("a stopped group comes back to OK once its members work again", () => {
  const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS, windowSamples: 5 });
  for (let i = 0; i < 10; i++) {
    sample(tracker, i * 1000, { end: i * 10, committed: 0, members: [] });
  }
  sample(tracker, 10_000, { end: 100, committed: 0, members: [] });
  assert.equal(tracker.lagView()[0].status, "STOP");
  let committed = 0;
  for (let i = 11; i < 20; i++) {
    committed = Math.min(i * 10, committed + 30);
    sample(tracker, i * 1000, { end: i * 10, committed });
  }
  const [g] = tracker.lagView();
  assert.equal(g.lag, 0);
  assert.equal(g.status, "OK");
});

Deno.test("a group falling further behind while it moves is WARN", () => {
  const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS, windowSamples: 5 });
  for (let i = 0; i < 6; i++) sample(tracker, i * 1000, { end: 20 * i + 5, committed: 10 * i });
  assert.equal(tracker.lagView()[0].status, "WARN");
});

Deno.test("lag sums over partitions, lag seconds and status are the worst partition's", () => {
  const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS, windowSamples: 3 });
  for (let i = 0; i < 4; i++) {
    tracker.observe(
      i * 1000,
      [{
        name: "t",
        partitions: [{ partition: 0, low: 0, high: 10 * i }, {
          partition: 1,
          low: 0,
          high: 10 * i,
        }],
      }],
      [{
        group: "g",
        state: "stable",
        members: MEMBER,
        offsets: [{ topic: "t", partition: 1, committed: 0 }, {
          topic: "t",
          partition: 0,
          committed: 10 * i,
        }],
      }],
    );
  }
  const [g] = tracker.lagView();
  assert.deepEqual(g.partitions.map((p) => [p.partition, p.lag, p.lagSeconds, p.status]), [
    [0, 0, 0, "OK"],
    [1, 30, 3, "STALL"],
  ]);
  assert.equal(g.lag, 30);
  assert.equal(g.lagSeconds, 3);
  assert.equal(g.status, "STALL");
});

Deno.test("the history has one point per sample of the last hour", () => {
  const tracker = new GroupLagTracker({ sampleMs: 60_000 });
  for (let i = 0; i <= 70; i++) sample(tracker, i * 60_000, { end: i * 10, committed: i * 10 - 5 });
  const history = tracker.history("g", "t");
  assert.equal(history.length, 61);
  assert.equal(history[0].t, 10 * 60_000);
  assert.deepEqual(history.at(-1), { t: 70 * 60_000, lag: 5, lagSeconds: 30 });
  assert.deepEqual(tracker.history("nope", "t"), []);
});

Deno.test("a group that committed nothing yet is shown without a topic; gone groups leave the view", () => {
  const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS });
  tracker.observe(0, [], [{ group: "new", state: "stable", members: MEMBER, offsets: [] }]);
  assert.deepEqual(tracker.lagView(), [{
    group: "new",
    topic: null,
    state: "stable",
    members: MEMBER,
    lag: 0,
    lagSeconds: 0,
    status: "OK",
    partitions: [],
  }]);
  sample(tracker, 1000, { end: 1, committed: 1 });
  assert.deepEqual(tracker.lagView().map((g) => g.group), ["g"]);
  assert.equal(tracker.sampledAt, 1000);
});
