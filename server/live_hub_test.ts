import assert from "node:assert/strict";
import { frame, type LiveClient, LiveHub, type LiveHubOptions } from "./live_hub.ts";

function hub(options: Partial<LiveHubOptions> = {}): LiveHub {
  return new LiveHub({
    replay: 100,
    clientBuffer: 100,
    snapshot: () => Promise.resolve({ users: [], total: 7 }),
    ...options,
  });
}

/** The ids of SSE frames, in order. */
function ids(frames: string[]): string[] {
  return frames.map((f) => {
    const match = /^id: (.+)\n/.exec(f);
    assert.ok(match, `frame without id: ${JSON.stringify(f)}`);
    return match[1];
  });
}

const decoder = new TextDecoder();

/** Chunks as text. */
const texts = (chunks: Uint8Array[]) => chunks.map((chunk) => decoder.decode(chunk));

/** What a client has queued now, as text (does not wait when it has nothing). */
function queued(client: LiveClient): string[] {
  return texts(client.drain());
}

const epochOf = (id: string) => id.slice(0, id.lastIndexOf("-"));
const seqOf = (id: string) => Number(id.slice(id.lastIndexOf("-") + 1));

Deno.test("an event is framed as SSE with its id, name and one-line data", () => {
  assert.equal(
    frame({ id: "abc-1", event: "update", data: '{"n":1}' }),
    'id: abc-1\nevent: update\ndata: {"n":1}\n\n',
  );
});

Deno.test("every connected client gets every published event, ids <epoch>-<n> increasing", () => {
  const live = hub();
  const a = live.connect();
  const b = live.connect();
  const published = [1, 2, 3].map((n) => live.publish("update", { n }));
  const framesA = queued(a);
  const framesB = queued(b);
  assert.deepEqual(framesA, published.map(frame));
  assert.deepEqual(framesB, framesA);
  const got = ids(framesA);
  for (const id of got) assert.match(id, /^[0-9a-z]+-\d+$/);
  assert.equal(
    new Set(got.map(epochOf)).size,
    1,
    "one epoch for the hub's life",
  );
  assert.deepEqual(got.map(seqOf), [1, 2, 3]);
  assert.equal(published[2].data, '{"n":3}', "data is JSON");
  live.close();
});

Deno.test("lastId is the id of the newest event", () => {
  const live = hub();
  const before = live.lastId;
  assert.equal(seqOf(before), 0);
  const event = live.publish("update", { total: 1 });
  assert.equal(live.lastId, event.id);
  assert.equal(epochOf(event.id), epochOf(before));
});

Deno.test("a client connecting without an id starts with a snapshot", () => {
  const live = hub();
  live.publish("update", { n: 1 });
  assert.equal(live.connect().needsSnapshot, true);
  assert.equal(live.connect(null).needsSnapshot, true);
  live.close();
});

Deno.test("reconnecting with the last id seen replays exactly the missed events", () => {
  const live = hub();
  const events = [1, 2, 3, 4, 5].map((n) => live.publish("update", { n }));
  const client = live.connect(events[1].id);
  assert.equal(client.needsSnapshot, false);
  assert.deepEqual(queued(client), events.slice(2).map(frame));
  const after = live.publish("update", { n: 6 });
  assert.deepEqual(
    queued(client),
    [frame(after)],
    "then live events follow",
  );
  live.close();
});

Deno.test("reconnecting with the newest id replays nothing and needs no snapshot", () => {
  const live = hub();
  live.publish("update", { n: 1 });
  const client = live.connect(live.lastId);
  assert.equal(client.needsSnapshot, false);
  assert.deepEqual(queued(client), []);
  live.close();
});

Deno.test("a snapshot's id taken before any event is a valid resume point", () => {
  const live = hub();
  const atSnapshot = live.lastId;
  const event = live.publish("update", { n: 1 });
  const client = live.connect(atSnapshot);
  assert.equal(client.needsSnapshot, false);
  assert.deepEqual(queued(client), [frame(event)]);
  live.close();
});

Deno.test("an id from an earlier server run needs a snapshot", () => {
  const live = hub();
  live.publish("update", { n: 1 });
  const epoch = epochOf(live.lastId);
  const earlier = (parseInt(epoch, 36) - 1).toString(36);
  const client = live.connect(`${earlier}-1`);
  assert.equal(client.needsSnapshot, true);
  live.close();
});

Deno.test("a garbage or future id needs a snapshot", () => {
  const live = hub();
  live.publish("update", { n: 1 });
  const epoch = epochOf(live.lastId);
  for (
    const id of [
      "garbage",
      "-",
      "--",
      `${epoch}-abc`,
      `${epoch}-1.5`,
      `${epoch}-99`,
    ]
  ) {
    const client = live.connect(id);
    assert.equal(client.needsSnapshot, true, JSON.stringify(id));
  }
  live.close();
});

Deno.test("an id older than the replay buffer needs a snapshot; the oldest kept one still replays", () => {
  const live = hub({ replay: 3 });
  const events = Array.from(
    { length: 10 },
    (_, i) => live.publish("update", { n: i + 1 }),
  );
  // The buffer holds events 8, 9 and 10.
  assert.equal(
    live.connect(events[5].id).needsSnapshot,
    true,
    "after 6, event 7 is gone",
  );
  const justInTime = live.connect(events[6].id);
  assert.equal(
    justInTime.needsSnapshot,
    false,
    "after 7, everything missed is kept",
  );
  assert.deepEqual(
    ids(queued(justInTime)),
    events.slice(7).map((e) => e.id),
  );
  live.close();
});

Deno.test("with no replay buffer, only the newest id resumes without a snapshot", () => {
  const live = hub({ replay: 0 });
  const first = live.publish("update", { n: 1 });
  live.publish("update", { n: 2 });
  assert.equal(live.connect(first.id).needsSnapshot, true);
  assert.equal(live.connect(live.lastId).needsSnapshot, false);
  live.close();
});

Deno.test("after a change nobody was sent, every earlier id resumes with a snapshot", async () => {
  const live = hub();
  const seen = live.publish("update", { n: 1 });
  live.markChanged();
  assert.notEqual(live.lastId, seen.id);
  assert.equal(live.connect(seen.id).needsSnapshot, true, "the newest id seen is now behind");
  const snapshotId = ids([decoder.decode(await live.snapshotFrame())])[0];
  assert.equal(live.connect(snapshotId).needsSnapshot, false, "a later snapshot's id resumes");
  const next = live.publish("update", { n: 2 });
  const resumed = live.connect(snapshotId);
  assert.deepEqual(queued(resumed), [frame(next)]);
  live.close();
});

Deno.test("a slow client whose buffer overflows is resynchronised; other clients are unaffected", () => {
  const live = hub({ clientBuffer: 3 });
  const fast = live.connect(live.lastId);
  const slow = live.connect(live.lastId);
  const fastGot: string[] = [];
  const events = [];
  for (let n = 1; n <= 4; n++) {
    events.push(live.publish("update", { n }));
    fastGot.push(...queued(fast));
  }
  assert.equal(slow.needsSnapshot, true, "the slow client needs a snapshot");
  assert.deepEqual(queued(slow), [], "its queue was dropped");
  assert.equal(fast.needsSnapshot, false);
  assert.deepEqual(
    fastGot,
    events.map(frame),
    "the fast client got every event",
  );
  assert.equal(live.clients, 2, "the slow client stays connected");
  live.close();
});

Deno.test("a client waiting for events is woken by the next publish", async () => {
  const live = hub();
  const client = live.connect(live.lastId);
  const waiting = client.take();
  const event = live.publish("update", { n: 1 });
  assert.deepEqual(texts(await waiting ?? []), [frame(event)]);
  live.close();
});

Deno.test("close() ends every client, wakes waiting ones and removes them", async () => {
  const live = hub();
  const a = live.connect();
  const b = live.connect(live.lastId);
  assert.equal(live.clients, 2);
  const waiting = b.take();
  live.close();
  assert.equal(live.clients, 0);
  assert.equal(a.closed, true);
  assert.equal(b.closed, true);
  assert.equal(await waiting, null, "a waiting client returns at once, closed");
  live.publish("update", { n: 1 });
  assert.deepEqual(queued(b), [], "closed clients get nothing more");
});

Deno.test("a client connecting after close() is closed at once and needs nothing sent", async () => {
  const live = hub();
  live.publish("update", { n: 1 });
  live.close();
  for (const late of [live.connect(), live.connect(live.lastId), live.connect("old-1")]) {
    assert.equal(late.closed, true);
    assert.equal(late.needsSnapshot, false);
    assert.equal(await late.take(), null, "returns at once, closed");
  }
  assert.equal(live.clients, 0);
});

Deno.test("a client that leaves is removed from the hub", () => {
  const live = hub();
  const a = live.connect();
  live.connect();
  a.close();
  assert.equal(live.clients, 1);
  live.close();
});

Deno.test("a snapshot frame carries the current lastId, so a reconnect resumes after it", async () => {
  const live = hub();
  live.publish("update", { n: 1 });
  live.publish("update", { total: 1 });
  const snapshot = decoder.decode(await live.snapshotFrame());
  assert.equal(
    snapshot,
    `id: ${live.lastId}\nevent: snapshot\ndata: {"users":[],"total":7}\n\n`,
  );
  const next = live.publish("update", { n: 2 });
  const resumed = live.connect(ids([snapshot])[0]);
  assert.equal(resumed.needsSnapshot, false);
  assert.deepEqual(queued(resumed), [frame(next)]);
  live.close();
});

Deno.test("500 viewers each get every update, encoded once and shared as the same bytes", () => {
  const live = hub({ clientBuffer: 16 });
  const viewers = Array.from({ length: 500 }, () => live.connect(live.lastId));
  const before = live.encodings;
  const got = viewers.map(() => [] as Uint8Array[]);
  const published: string[] = [];
  for (let n = 1; n <= 40; n++) {
    const [update, latency] = live.publishAll([
      { event: "update", data: { n, users: Array.from({ length: 20 }, (_, i) => `user ${i}`) } },
      { event: "latency", data: { sentAt: n } },
    ]);
    published.push(frame(update) + frame(latency));
    // Viewers drain as a server writing to them would, some after every publish, some every 5th.
    for (const [i, viewer] of viewers.entries()) {
      if (i % 2 === 0 || n % 5 === 0) got[i].push(...viewer.drain());
    }
  }
  assert.equal(live.encodings - before, 40, "one encoding per publish, not per viewer");
  for (const [i, chunks] of got.entries()) {
    assert.deepEqual(texts(chunks), published, `viewer ${i} got every update, in order`);
    assert.equal(viewers[i].needsSnapshot, false);
  }
  for (let k = 0; k < 40; k++) {
    assert.ok(got.every((chunks) => chunks[k] === got[0][k]), `update ${k + 1} is one buffer`);
  }
  live.close();
});

Deno.test("a stalled viewer holds at most clientBuffer chunks, then is resynchronised with a snapshot", async () => {
  const live = hub({ clientBuffer: 8 });
  const stalled = live.connect(live.lastId);
  const reading = live.connect(live.lastId);
  for (let n = 1; n <= 1000; n++) {
    live.publish("update", { n, padding: "x".repeat(1000) });
    assert.equal(reading.drain().length, 1);
  }
  const held = stalled.drain();
  assert.ok(held.length < 8, `${held.length} chunks held after 1,000 publishes`);
  assert.equal(stalled.needsSnapshot, true, "it starts again from a snapshot");
  const snapshot = decoder.decode(await live.snapshotFrame());
  assert.match(snapshot, new RegExp(`^id: ${live.lastId}\nevent: snapshot\n`));
  live.close();
});

Deno.test("viewers arriving together at one event id share one snapshot read", async () => {
  let reads = 0;
  const live = hub({ snapshot: () => Promise.resolve({ read: ++reads }) });
  live.publish("update", { n: 1 });
  const frames = await Promise.all(Array.from({ length: 100 }, () => live.snapshotFrame()));
  assert.equal(reads, 1);
  assert.ok(frames.every((f) => f === frames[0]), "the same bytes for all");
  live.publish("update", { n: 2 });
  assert.match(decoder.decode(await live.snapshotFrame()), /"read":2/, "a later event reads again");
  live.close();
});

Deno.test("a failed snapshot read is not handed to the next viewer", async () => {
  let fail = true;
  const live = hub({
    snapshot: () => fail ? Promise.reject(new Error("store down")) : Promise.resolve({ ok: 1 }),
  });
  await assert.rejects(live.snapshotFrame(), /store down/);
  fail = false;
  assert.match(decoder.decode(await live.snapshotFrame()), /"ok":1/);
  live.close();
});

Deno.test("a viewer resuming between events of one publish gets only the rest of it", () => {
  const live = hub();
  const [update, latency] = live.publishAll([
    { event: "update", data: { n: 1 } },
    { event: "latency", data: { sentAt: 1 } },
  ]);
  const resumed = live.connect(update.id);
  assert.deepEqual(queued(resumed), [frame(latency)]);
  live.close();
});

Deno.test("a quiet viewer is pinged with a heartbeat; one that was sent something is not", () => {
  const live = hub();
  const quiet = live.connect(live.lastId);
  const busy = live.connect(live.lastId);
  const heartbeat = new TextEncoder().encode(": heartbeat\n\n");
  busy.push(new TextEncoder().encode(": something\n\n"));
  busy.drain();
  quiet.ping(heartbeat);
  busy.ping(heartbeat);
  assert.deepEqual(quiet.drain(), [heartbeat]);
  assert.deepEqual(busy.drain(), [], "it was sent something since the last ping");
  busy.ping(heartbeat);
  assert.deepEqual(busy.drain(), [heartbeat], "quiet since the last ping");
  live.close();
});

Deno.test("an update waits until the viewers have taken the previous one, past the few allowed to lag, at most the longest wait, and never again for a viewer already behind", async () => {
  const live = hub({ clientBuffer: 2 });
  const viewers = Array.from({ length: 40 }, () => live.connect(live.lastId));
  const signal = new AbortController().signal;
  const wait = { share: 0.1, allowed: 5, maxWaitMs: 5_000, signal };
  live.publish("update", { n: 1 });
  assert.equal(live.behind, 40);
  let delivered = false;
  const waiting = live.delivered(wait).then(() => delivered = true);
  // A viewer has taken an update when it comes back for more (its socket accepted the update).
  const takeAndComeBack = async (viewer: LiveClient) => {
    await viewer.take();
    viewer.take();
  };
  // 35 take it from their queues, but only 34 come back: 6 behind, more than the 5 allowed
  // (and the tenth of 40, 4).
  for (const viewer of viewers.slice(0, 34)) await takeAndComeBack(viewer);
  viewers[34].drain();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(delivered, false);
  viewers[34].take();
  await waiting;
  assert.equal(live.behind, 5);
  // The five that did not take it are not waited for again: a stuck connection slows one update.
  live.publish("update", { n: 2 });
  assert.equal(live.behind, 35);
  // A viewer that leaves is not waited for.
  for (const viewer of viewers.slice(0, 20)) viewer.close();
  assert.equal(live.behind, 15);
  // Nobody takes anything: the update goes out after the longest wait.
  const started = performance.now();
  await live.delivered({ ...wait, maxWaitMs: 50 });
  assert.ok(performance.now() - started >= 45);
  // The next update waits for nobody: every viewer left was already behind.
  live.publish("update", { n: 3 });
  assert.equal(live.behind, 0);
  assert.ok(
    viewers.slice(35).every((viewer) => viewer.needsSnapshot),
    "their queues of two overflowed",
  );
  const next = performance.now();
  await live.delivered(wait);
  assert.ok(performance.now() - next < 1_000);
  live.close();
  assert.equal(live.behind, 0);
});
