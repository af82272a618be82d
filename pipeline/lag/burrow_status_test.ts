import assert from "node:assert/strict";
import {
  type CommitSample,
  lagAlwaysNotZero,
  lagNotDecreasing,
  offsetsStalled,
  offsetsStopped,
  type PartitionStatus,
  partitionStatus,
  recentLagZero,
  rewindIndex,
  worstStatus,
} from "./burrow_status.ts";

/** `[offset, timestamp ms, lag]` rows. */
function samples(rows: Array<[number, number, number | null]>): CommitSample[] {
  return rows.map(([offset, at, lag]) => ({ offset, at, lag }));
}

const RISING_FROM_ZERO = samples([
  [1000, 100000, 0],
  [2000, 200000, 50],
  [3000, 300000, 100],
  [4000, 400000, 150],
  [5000, 500000, 200],
]);
const RISING = samples([
  [1000, 100000, 50],
  [2000, 200000, 100],
  [3000, 300000, 150],
  [4000, 400000, 200],
  [5000, 500000, 250],
]);
const STUCK_FROM_ZERO = samples([
  [1000, 100000, 0],
  [1000, 200000, 50],
  [1000, 300000, 100],
  [1000, 400000, 150],
  [1000, 500000, 200],
]);
const STUCK = samples([
  [1000, 100000, 100],
  [1000, 200000, 150],
  [1000, 300000, 200],
  [1000, 400000, 250],
  [1000, 500000, 300],
]);
const REWOUND = samples([
  [1000, 100000, 100],
  [2000, 200000, 150],
  [3000, 300000, 200],
  [2000, 400000, 1250],
  [4000, 500000, 300],
]);
const ONE_A_SECOND = samples(
  Array.from({ length: 15 }, (_, i) => [792748079 + i, 1512224618356 + i * 1000, 0]),
);

interface Case {
  name: string;
  offsets: CommitSample[];
  brokerOffsets: number[];
  currentLag: number;
  /** Seconds, as in Burrow's table. */
  timeNow: number;
  allowedLag: number;
  rules: {
    lagAlwaysNotZero: boolean;
    rewindIndex: number;
    stopped: boolean;
    stalled: boolean;
    lagNotDecreasing: boolean;
    recentLagZero: boolean;
  };
  status: PartitionStatus;
}

// linkedin/Burrow core/internal/evaluator/caching_test.go, "the correctness proof for the evaluator", case by case.
const CASES: Case[] = [
  {
    name: "0: OK because there is zero lag somewhere",
    offsets: RISING_FROM_ZERO,
    brokerOffsets: [5200],
    currentLag: 200,
    timeNow: 600,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: false,
      rewindIndex: -1,
      stopped: false,
      stalled: false,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "OK",
  },
  {
    name: "1: not stopped while the time since the last commit equals the window's span",
    offsets: RISING_FROM_ZERO,
    brokerOffsets: [5200],
    currentLag: 200,
    timeNow: 900,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: false,
      rewindIndex: -1,
      stopped: false,
      stalled: false,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "OK",
  },
  {
    name: "2: STOP once the time since the last commit passes the window's span, zero lag or not",
    offsets: RISING_FROM_ZERO,
    brokerOffsets: [5200],
    currentLag: 200,
    timeNow: 1000,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: false,
      rewindIndex: -1,
      stopped: true,
      stalled: false,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "STOP",
  },
  {
    name: "3: STOP when the lag was never zero as well",
    offsets: RISING,
    brokerOffsets: [5250],
    currentLag: 250,
    timeNow: 1000,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: true,
      rewindIndex: -1,
      stopped: true,
      stalled: false,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "STOP",
  },
  {
    name: "4: OK while an unmoving offset had zero lag in the window",
    offsets: STUCK_FROM_ZERO,
    brokerOffsets: [1200],
    currentLag: 200,
    timeNow: 600,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: false,
      rewindIndex: -1,
      stopped: false,
      stalled: true,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "OK",
  },
  {
    name: "5: STALL when the offset never moves and the lag is never zero",
    offsets: STUCK,
    brokerOffsets: [1300],
    currentLag: 300,
    timeNow: 600,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: true,
      rewindIndex: -1,
      stopped: false,
      stalled: true,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "STALL",
  },
  {
    name: "6: STALL also when the lag stays the same",
    offsets: samples([100000, 200000, 300000, 400000, 500000].map((at) => [1000, at, 100])),
    brokerOffsets: [1100],
    currentLag: 100,
    timeNow: 600,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: true,
      rewindIndex: -1,
      stopped: false,
      stalled: true,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "STALL",
  },
  {
    name: "7: OK after a rewind the group caught up from",
    offsets: REWOUND,
    brokerOffsets: [4300],
    currentLag: 300,
    timeNow: 600,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: true,
      rewindIndex: 3,
      stopped: false,
      stalled: false,
      lagNotDecreasing: false,
      recentLagZero: false,
    },
    status: "OK",
  },
  {
    name: "8: OK when the lag now is zero, however stopped the timestamps look",
    offsets: RISING,
    brokerOffsets: [5250],
    currentLag: 0,
    timeNow: 1000,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: true,
      rewindIndex: -1,
      stopped: true,
      stalled: false,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "OK",
  },
  {
    name: "9: STOP when commits stopped and new records came, though every commit had zero lag",
    offsets: ONE_A_SECOND,
    brokerOffsets: [792749024, 792749000, 792748800, 792748600, 792748500],
    currentLag: 931,
    timeNow: 1512224650,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: false,
      rewindIndex: -1,
      stopped: true,
      stalled: false,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "STOP",
  },
  {
    name: "10: OK though commits stopped, as the group reached a recent end offset",
    offsets: ONE_A_SECOND,
    brokerOffsets: [792748094, 792748093, 792748093, 792748093],
    currentLag: 1,
    timeNow: 1512224650,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: false,
      rewindIndex: -1,
      stopped: true,
      stalled: false,
      lagNotDecreasing: true,
      recentLagZero: true,
    },
    status: "OK",
  },
  {
    name: "11: samples without a known lag change nothing",
    offsets: samples([
      [1000, 100000, 0],
      [1500, 150000, null],
      [2000, 200000, 50],
      [2500, 250000, null],
      [3000, 300000, 100],
      [3500, 350000, null],
      [4000, 400000, 150],
      [4500, 450000, null],
      [5000, 500000, 200],
      [5500, 550000, null],
    ]),
    brokerOffsets: [5700],
    currentLag: 200,
    timeNow: 600,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: false,
      rewindIndex: -1,
      stopped: false,
      stalled: false,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "OK",
  },
  {
    name: "12: OK when the lag is within the allowed lag",
    offsets: samples([[1000, 100000, 2], [2000, 200000, 1], [2000, 300000, 1]]),
    brokerOffsets: [2001],
    currentLag: 1,
    timeNow: 550,
    allowedLag: 1,
    rules: {
      lagAlwaysNotZero: false,
      rewindIndex: -1,
      stopped: true,
      stalled: false,
      lagNotDecreasing: false,
      recentLagZero: false,
    },
    status: "OK",
  },
  {
    name: "13: STALL beyond the allowed lag",
    offsets: STUCK,
    brokerOffsets: [1300],
    currentLag: 300,
    timeNow: 600,
    allowedLag: 99,
    rules: {
      lagAlwaysNotZero: true,
      rewindIndex: -1,
      stopped: false,
      stalled: true,
      lagNotDecreasing: true,
      recentLagZero: false,
    },
    status: "STALL",
  },
  {
    name: "14: a recovered rewind is OK with an allowed lag too",
    offsets: REWOUND,
    brokerOffsets: [4300],
    currentLag: 300,
    timeNow: 600,
    allowedLag: 99,
    rules: {
      lagAlwaysNotZero: true,
      rewindIndex: 3,
      stopped: false,
      stalled: false,
      lagNotDecreasing: false,
      recentLagZero: false,
    },
    status: "OK",
  },
  {
    name: "15: REWIND while the group has not come back to where it was",
    offsets: samples([
      [1000, 100000, 100],
      [2000, 200000, 150],
      [3000, 300000, 200],
      [2000, 400000, 1250],
      [2500, 500000, 300],
    ]),
    brokerOffsets: [4300],
    currentLag: 300,
    timeNow: 600,
    allowedLag: 0,
    rules: {
      lagAlwaysNotZero: true,
      rewindIndex: 3,
      stopped: false,
      stalled: false,
      lagNotDecreasing: false,
      recentLagZero: false,
    },
    status: "REWIND",
  },
];

for (const c of CASES) {
  Deno.test(`Burrow case ${c.name}`, () => {
    const now = c.timeNow * 1000;
    assert.deepEqual({
      lagAlwaysNotZero: lagAlwaysNotZero(c.offsets, c.allowedLag),
      rewindIndex: rewindIndex(c.offsets),
      stopped: offsetsStopped(c.offsets, now),
      stalled: offsetsStalled(c.offsets),
      lagNotDecreasing: lagNotDecreasing(c.offsets),
      recentLagZero: recentLagZero(c.offsets, c.brokerOffsets),
    }, c.rules);
    const { offsets, brokerOffsets, currentLag, allowedLag } = c;
    assert.equal(
      partitionStatus({ offsets, brokerOffsets, currentLag, now, allowedLag }),
      c.status,
    );
  });
}

Deno.test("a partition with no committed offset seen yet is OK: nothing to judge", () => {
  assert.equal(
    partitionStatus({ offsets: [], brokerOffsets: [10], currentLag: 10, now: 0, allowedLag: 0 }),
    "OK",
  );
});

Deno.test("a group is as bad as its worst partition", () => {
  assert.equal(worstStatus([]), "OK");
  assert.equal(worstStatus(["OK", "WARN", "OK"]), "WARN");
  assert.equal(worstStatus(["STALL", "WARN", "REWIND"]), "STALL");
  assert.equal(worstStatus(["OK", "STOP", "STALL"]), "STOP");
});
