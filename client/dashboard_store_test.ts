import assert from "node:assert/strict";
import {
  DashboardStore,
  DRAW_GAP_MS,
  type EventSourceLike,
  type LiveStoreOptions,
  streamUrl,
} from "./dashboard_store.ts";
import { streamSearch } from "./dashboard_store.ts";
import type { SalesSnapshot } from "../server/dashboards.ts";

class FakeSource extends EventTarget implements EventSourceLike {
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    super();
  }
  emit(type: string, data?: unknown): void {
    this.dispatchEvent(
      data === undefined ? new Event(type) : new MessageEvent(type, { data: JSON.stringify(data) }),
    );
  }
  close(): void {
    this.closed = true;
  }
}

function sales(revenue: number): SalesSnapshot {
  return {
    kpi: {
      revenue,
      revenueText: revenue.toFixed(2),
      transactions: 1,
      averageTicket: revenue,
      averageTicketText: revenue.toFixed(2),
    },
    byProduct: [],
    byCity: [],
    byMonth: [],
    rejected: { invalid: 0, late: 0, processingError: 0, duplicate: 0 },
  };
}

/** A sales store on fake event sources; it shows every snapshot unless `drawGapMs` says otherwise. */
function storeWithFake(options: LiveStoreOptions = {}) {
  const opened: FakeSource[] = [];
  const store = new DashboardStore("sales", (url) => {
    const source = new FakeSource(url);
    opened.push(source);
    return source;
  }, { drawGapMs: 0, ...options });
  return { store, opened };
}

/** A sales store whose frames come when the test runs them from `frames`. */
function storeWithFrames(options: LiveStoreOptions = {}) {
  const frames: (() => void)[] = [];
  return { ...storeWithFake({ nextFrame: (show) => frames.push(show), ...options }), frames };
}

Deno.test("a dashboard store opens one stream on /api/stream/<dashboard>", () => {
  const { store, opened } = storeWithFake();
  store.connect();
  store.connect();
  assert.equal(opened.length, 1);
  assert.equal(opened[0].url, "/api/stream/sales");
  assert.equal(streamUrl("products"), "/api/stream/products");
  store.close();
  assert.ok(opened[0].closed);
});

Deno.test("snapshot and update events each replace the whole snapshot", () => {
  const { store, opened } = storeWithFake();
  store.connect();
  assert.equal(store.snapshot.peek(), null, "nothing before the first event");
  opened[0].emit("snapshot", sales(10));
  assert.equal(store.snapshot.value?.kpi.revenue, 10);
  opened[0].emit("update", sales(25.5));
  assert.deepEqual(store.snapshot.value, sales(25.5));
});

Deno.test("updates that arrive between two frames are shown once, the newest, at the frame", () => {
  const { store, opened, frames } = storeWithFrames();
  store.connect();
  const shown: number[] = [];
  const stop = store.snapshot.subscribe((s) => s && shown.push(s.kpi.revenue));
  for (const revenue of [1, 2, 3, 4, 5]) opened[0].emit("update", sales(revenue));
  assert.equal(store.snapshot.peek(), null, "nothing shown before the frame");
  assert.equal(frames.length, 1, "one frame asked for, however many updates");
  frames.shift()!();
  assert.deepEqual(shown, [5]);
  opened[0].emit("update", sales(6));
  assert.equal(frames.length, 1, "the next update asks for the next frame");
  frames.shift()!();
  assert.deepEqual(shown, [5, 6]);
  stop();
});

Deno.test("a page shows at most one snapshot per draw gap: the newest of those in between, at the first frame after it", async () => {
  let now = 1_000;
  const { store, opened, frames } = storeWithFrames({ now: () => now, drawGapMs: 30 });
  assert.equal(DRAW_GAP_MS, 33, "at most 30 draws a second by default");
  store.connect();
  const shown: number[] = [];
  const stop = store.snapshot.subscribe((s) => s && shown.push(s.kpi.revenue));
  opened[0].emit("update", sales(1));
  frames.shift()!();
  assert.deepEqual(shown, [1]);
  now += 10;
  opened[0].emit("update", sales(2));
  frames.shift()!();
  assert.deepEqual(shown, [1], "10 ms after the last draw: not yet");
  opened[0].emit("update", sales(3));
  assert.equal(frames.length, 0, "no frame asked for while one waits");
  now += 25;
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(frames.length, 1, "the frame after the gap is asked for");
  frames.shift()!();
  assert.deepEqual(shown, [1, 3], "the newest of what came in between");
  stop();
});

Deno.test("paused, each update arriving counts as waiting, even when several share a frame", () => {
  const { store, opened, frames } = storeWithFrames();
  store.connect();
  opened[0].emit("update", sales(1));
  frames.shift()!();
  store.pause();
  for (const revenue of [2, 3, 4]) opened[0].emit("update", sales(revenue));
  frames.shift()!();
  assert.equal(store.waiting.value, 3);
  assert.equal(store.snapshot.value?.kpi.revenue, 1, "paused: the page keeps what it showed");
  store.resume();
  assert.equal(store.snapshot.value?.kpi.revenue, 4);
  assert.equal(store.waiting.value, 0);
});

Deno.test("a malformed event is logged and the last snapshot stays", () => {
  const { store, opened } = storeWithFake();
  store.connect();
  opened[0].emit("update", sales(3));
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    opened[0].dispatchEvent(new MessageEvent("update", { data: "{not json" }));
  } finally {
    console.error = original;
  }
  assert.equal(store.snapshot.value?.kpi.revenue, 3);
  assert.match(String(errors[0]), /\/api\/stream\/sales: cannot parse the update event/);
});

Deno.test("the connection state follows open, error and a permanent close", () => {
  const { store, opened } = storeWithFake();
  store.connect();
  assert.equal(store.connection.value, "connecting");
  opened[0].emit("open");
  assert.equal(store.connection.value, "live");
  opened[0].emit("error");
  assert.equal(store.connection.value, "reconnecting");
  opened[0].readyState = 2;
  opened[0].emit("error");
  assert.equal(store.connection.value, "offline");
});

Deno.test("the users page is a dashboard like the others: one stream on /api/stream/users, whole snapshots", () => {
  const opened: FakeSource[] = [];
  const store = new DashboardStore("users", (url) => {
    const source = new FakeSource(url);
    opened.push(source);
    return source;
  }, { drawGapMs: 0 });
  store.connect();
  assert.equal(opened[0].url, "/api/stream/users");
  const stats = { total: 1, male: 1, female: 0, other: 0, rejected: 0 };
  const ada = {
    uuid: "u-1",
    fullName: "Ada Lovelace",
    gender: "female" as const,
    age: 36,
    country: "United Kingdom",
    city: "London",
    email: "ada@example.com",
    picture: "",
    ts: 1,
  };
  opened[0].emit("snapshot", { stats, users: [] });
  assert.deepEqual(store.snapshot.value, { stats, users: [] });
  opened[0].emit("update", { stats: { ...stats, total: 2, female: 1 }, users: [ada] });
  assert.equal(store.snapshot.value?.stats.total, 2);
  assert.deepEqual(store.snapshot.value?.users, [ada]);
});

Deno.test("latency events give the server's produce-to-stored and the browser's produce-to-browser figures, corrected for a clock set wrong", () => {
  let now = 0;
  const opened: FakeSource[] = [];
  const store = new DashboardStore("sales", (url) => {
    const source = new FakeSource(url);
    opened.push(source);
    return source;
  }, { now: () => now });
  store.connect();
  assert.equal(store.latency.value, null);
  const stored = { p50: 12, p99: 40, count: 9 };
  // The browser's clock runs 60 s ahead of the server's; the update takes 2 ms to arrive.
  now = 1_000_000 + 60_000 + 2;
  opened[0].emit("latency", { sentAt: 1_000_000, stored, produced: [999_900, 999_990] });
  assert.deepEqual(store.latency.value, {
    stored,
    browser: { p50: 10, p99: 100, count: 2 },
  });
  // A slower transit later shows as latency; the clock offset does not.
  now = 1_010_000 + 60_000 + 52;
  opened[0].emit("latency", { sentAt: 1_010_000, stored: null, produced: [1_009_950] });
  assert.deepEqual(store.latency.value, {
    stored: null,
    browser: { p50: 100, p99: 100, count: 3 },
  });
  opened[0].dispatchEvent(new MessageEvent("latency", { data: "{" }));
  const after = store.latency.peek();
  assert.equal(after?.browser?.count, 3, "a bad frame changes nothing");
});

Deno.test("paused, the snapshot and latency stay still while a count of waiting updates grows; resume applies the newest at once", () => {
  const { store, opened } = storeWithFake();
  store.connect();
  opened[0].emit("open");
  opened[0].emit("snapshot", sales(10));
  store.pause();
  assert.equal(store.paused.value, true);
  opened[0].emit("update", sales(20));
  opened[0].emit("update", sales(30));
  opened[0].emit("latency", { sentAt: 0, stored: { p50: 1, p99: 2, count: 1 }, produced: [] });
  assert.equal(store.snapshot.value?.kpi.revenue, 10, "nothing moves while paused");
  assert.equal(store.latency.value, null, "the latency figures do not move either");
  assert.equal(store.waiting.value, 2);
  opened[0].emit("error");
  assert.equal(store.connection.value, "reconnecting", "the connection state is never held");
  store.resume();
  assert.equal(store.paused.value, false);
  assert.deepEqual(store.snapshot.value, sales(30), "every held update applied at once");
  assert.equal(store.latency.peek()?.stored?.p50, 1);
  assert.equal(store.waiting.value, 0);
  opened[0].emit("update", sales(40));
  assert.equal(store.snapshot.value?.kpi.revenue, 40, "live again after resume");
});

Deno.test("togglePause pauses and resumes; resuming with nothing waiting keeps the snapshot", () => {
  const { store, opened } = storeWithFake();
  store.connect();
  opened[0].emit("snapshot", sales(5));
  store.togglePause();
  assert.equal(store.paused.value, true);
  store.togglePause();
  assert.equal(store.paused.value, false);
  assert.equal(store.snapshot.value?.kpi.revenue, 5);
  assert.equal(store.waiting.value, 0);
});

Deno.test("a snapshot served from what the server last knew marks the store degraded with the server down, until a fresh one", () => {
  const { store, opened } = storeWithFake();
  store.connect();
  assert.equal(store.degraded.value, null);
  const degraded = { server: "Cassandra", since: 1_000, error: "no answer within 1500 ms" };
  opened[0].emit("update", { ...sales(3), degraded });
  assert.deepEqual(store.degraded.value, degraded);
  assert.equal(store.snapshot.value?.kpi.revenue, 3, "the last known figures still show");
  opened[0].emit("update", sales(4));
  assert.equal(store.degraded.value, null);
});

Deno.test("the servers a snapshot names down show in the store until a snapshot names none", () => {
  const { store, opened } = storeWithFake();
  store.connect();
  assert.deepEqual(store.down.value, []);
  opened[0].emit("update", { ...sales(3), down: ["Kafka"] });
  assert.deepEqual(store.down.value, ["Kafka"]);
  assert.equal(store.snapshot.value?.kpi.revenue, 3);
  opened[0].emit("update", { ...sales(4), down: [] });
  assert.deepEqual(store.down.value, []);
});

Deno.test("a dashboard's stream asks for the view in the page's URL; a console page's does not", () => {
  const sales = { pathname: "/sales", search: "?range=1h&city=Oslo" };
  assert.equal(streamSearch("sales", sales), "?range=1h&city=Oslo");
  assert.equal(streamSearch("users", { pathname: "/", search: "" }), "");
  assert.equal(streamSearch("console", { pathname: "/console", search: "?topic=users" }), "");
  assert.equal(
    streamSearch("users", { pathname: "/console/dead-letters", search: "?stream=users" }),
    "",
    "the dead-letters page's query is not a view of the users page its header follows",
  );
});
