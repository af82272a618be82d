import assert from "node:assert/strict";
import { session, WindowEngine } from "../windowing/windows.ts";
import type { DeviceType } from "./events.ts";
import type { TimedActivity } from "./activity.ts";
import { sessionFigures, SESSIONS, sessionsReadModel } from "./sessions.ts";

const MIN = 60_000;
const gap = session(5 * MIN, {
  outOfOrdernessMs: 5_000,
  allowedLatenessMs: 0,
  idleTimeoutMs: 30_000,
  maxFutureMs: 24 * 60 * MIN,
});

function click(user: number, ts: number): TimedActivity {
  const timestamp = new Date(ts).toISOString();
  return { activity: { id: `clicks/0/${ts}`, user_id: user, timestamp, kind: "click" }, ts };
}

function view(user: number, ts: number, device: DeviceType): TimedActivity {
  const timestamp = new Date(ts).toISOString();
  return {
    activity: { id: `views/0/${ts}`, user_id: user, timestamp, kind: "view", device_type: device },
    ts,
  };
}

/** The read model of one partition after `events`, in order. */
function modelAfter(events: TimedActivity[], spec = gap) {
  const engine = new WindowEngine(spec, SESSIONS);
  engine.restore(0, 0);
  for (const [offset, e] of events.entries()) {
    engine.add({ partition: 0, offset, ts: e.ts, value: e, now: 0 });
  }
  return sessionsReadModel(JSON.parse(JSON.stringify(engine.partition(0)!.checkpoint())));
}

Deno.test("sessions per device: count, mean duration and events per session from clicks and views", () => {
  const first = modelAfter([
    view(1, 0, "mobile"),
    click(2, 0),
    click(2, 30_000),
    click(1, 1 * MIN),
    view(1, 2 * MIN, "mobile"),
    view(3, 2 * MIN, "tablet"),
    view(3, 10 * MIN, "desktop"), // past the gap: user 3's second session
    view(4, 60 * MIN, "desktop"), // moves the watermark past every session above
  ]);
  const second = modelAfter([view(5, 0, "mobile"), view(5, 4 * MIN, "tablet"), click(6, 60 * MIN)]);
  assert.deepEqual(sessionFigures([first, second]), {
    // user 1 (3 events over 2 min) and user 5 (2 events over 4 min, a mobile-tablet tie: mobile)
    mobile: { sessions: 2, meanDurationMs: 3 * MIN, eventsPerSession: 2.5 },
    desktop: { sessions: 1, meanDurationMs: 0, eventsPerSession: 1 },
    tablet: { sessions: 1, meanDurationMs: 0, eventsPerSession: 1 },
    none: { sessions: 1, meanDurationMs: 30_000, eventsPerSession: 2 },
  }, "sessions still open (users 4 and 6) are not counted yet");
});

Deno.test("a click bridging two view sessions of a user makes them one session", () => {
  const model = modelAfter([
    view(1, 0, "desktop"),
    view(1, 8 * MIN, "desktop"),
    click(1, 4 * MIN), // within 5 min of both, out of order within the bound
    click(9, 60 * MIN),
  ], { ...gap, outOfOrdernessMs: 5 * MIN });
  assert.deepEqual(sessionFigures([model]).desktop, {
    sessions: 1,
    meanDurationMs: 8 * MIN,
    eventsPerSession: 3,
  });
});

Deno.test("no read models: no sessions, and no division by zero", () => {
  assert.deepEqual(sessionFigures([]).mobile, {
    sessions: 0,
    meanDurationMs: 0,
    eventsPerSession: 0,
  });
});
