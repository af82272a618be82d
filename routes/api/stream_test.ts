import assert from "node:assert/strict";
import { type Fixture, startFixture } from "../../testing/app_fixture.ts";
import type { UsersSnapshot } from "../../server/dashboards.ts";
import { generateUser } from "../../pipeline/users/generator.ts";
import { seededRandom } from "../../pipeline/random.ts";
import { delay } from "../../pipeline/async.ts";
import { type SseEvent, sseReader } from "../../testing/sse_reader.ts";

const random = seededRandom(99);
const user = () => generateUser(random, Date.now());

/** The users page's snapshot an SSE event carries. */
const usersOf = (event: SseEvent) => JSON.parse(event.data!) as UsersSnapshot;
const uuids = (event: SseEvent) => usersOf(event).users.map((u) => u.uuid);

/** Next `update` whose newest user is `uuid`, skipping earlier ones. */
async function updateWith(sse: ReturnType<typeof sseReader>, uuid: string): Promise<SseEvent> {
  for (;;) {
    const event = await sse.until("update");
    if (uuids(event)[0] === uuid) return event;
  }
}

/** The page's live hub. */
const hubOf = (f: Fixture, page: string) => f.state.hubs.get(page)!;

Deno.test("SSE /api/stream/users: retry hint, a snapshot, then updates with the new user and counters", async () => {
  const f = await startFixture();
  try {
    const res = await f.app.request("/api/stream/users");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.equal(res.headers.get("cache-control"), "no-cache, no-transform");
    const sse = sseReader(res);
    const hello = await sse.next();
    assert.equal(hello.retry, "2000");
    const snapshot = await sse.until("snapshot");
    assert.ok(snapshot.id);
    assert.deepEqual(usersOf(snapshot), {
      stats: { total: 0, male: 0, female: 0, other: 0, rejected: 0 },
      users: [],
    });
    const u = user();
    await f.produce([u]);
    const update = await updateWith(sse, u.login.uuid);
    const { stats, users } = usersOf(update);
    assert.equal(users[0].fullName, `${u.name.first} ${u.name.last}`);
    assert.equal(stats.total, 1, "the counters move with the list");
    assert.equal(stats[u.gender === "male" || u.gender === "female" ? u.gender : "other"], 1);
    assert.notEqual(update.id, snapshot.id);
    await sse.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("SSE /api/stream/users: a browser reconnecting with Last-Event-ID gets exactly what it missed", async () => {
  const f = await startFixture();
  try {
    const keeper = sseReader(await f.app.request("/api/stream/users"));
    await keeper.until("snapshot");
    const first = sseReader(await f.app.request("/api/stream/users"));
    await first.until("snapshot");
    const a = user();
    await f.produce([a]);
    const seen = await updateWith(first, a.login.uuid);
    await updateWith(keeper, a.login.uuid);
    await first.cancel();

    const b = user();
    await f.produce([b]);
    const missed = await updateWith(keeper, b.login.uuid);
    const again = sseReader(
      await f.app.request("/api/stream/users", { headers: { "last-event-id": seen.id! } }),
    );
    await again.next();
    // Each update is followed by its `latency` event; those are replayed too.
    let replayed = await again.next();
    while (replayed.event === "latency") replayed = await again.next();
    assert.equal(replayed.event, "update", "no snapshot when the gap can be replayed");
    const last = replayed.id === missed.id ? replayed : await updateWith(again, b.login.uuid);
    assert.equal(last.id, missed.id, "the same events, with the same ids");
    assert.deepEqual(uuids(last), [b.login.uuid, a.login.uuid]);
    await again.cancel();

    const stale = sseReader(
      await f.app.request("/api/stream/users", { headers: { "last-event-id": "old-run-5" } }),
    );
    const resync = await stale.until("snapshot");
    assert.equal(usersOf(resync).users.length, 2, "an unknown id resynchronises");
    await stale.cancel();
    await keeper.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("SSE /api/stream/users: a page that changed while nobody watched resumes with a snapshot", async () => {
  const f = await startFixture();
  try {
    const first = sseReader(await f.app.request("/api/stream/users"));
    await first.until("snapshot");
    const a = user();
    await f.produce([a]);
    const seen = await updateWith(first, a.login.uuid);
    await first.cancel();
    const hub = hubOf(f, "users");
    const before = hub.lastId;
    await f.produce([user()]);
    await f.waitForUsers(2);
    const deadline = Date.now() + 5000;
    while (hub.lastId === before && Date.now() < deadline) await delay(5);
    assert.notEqual(hub.lastId, before, "the hub marked the unseen change");

    const again = sseReader(
      await f.app.request("/api/stream/users", { headers: { "last-event-id": seen.id! } }),
    );
    const resync = await again.until("snapshot");
    assert.equal(usersOf(resync).stats.total, 2, "not stuck at what it had seen");
    await again.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("SSE: heartbeats while idle; a disconnect frees the viewer", async () => {
  const f = await startFixture({ web: { sseHeartbeatMs: 100 } });
  try {
    const sse = sseReader(await f.app.request("/api/stream/users"));
    await sse.until("snapshot");
    assert.equal(hubOf(f, "users").clients, 1);
    assert.equal((await sse.until("comment", 2000)).comment, "heartbeat");
    await sse.cancel();
    assert.equal(hubOf(f, "users").clients, 0);
  } finally {
    await f.close();
  }
});

Deno.test("SSE: one shared feed reaches every viewer; closing the hub ends open streams", async () => {
  const f = await startFixture();
  try {
    const viewers = await Promise.all(
      [1, 2, 3].map(async () => sseReader(await f.app.request("/api/stream/users"))),
    );
    for (const v of viewers) await v.until("snapshot");
    const u = user();
    await f.produce([u]);
    for (const v of viewers) await updateWith(v, u.login.uuid);
    hubOf(f, "users").close();
    for (const v of viewers) await assert.rejects(v.until("never", 2000), /stream ended/);
    assert.equal(hubOf(f, "users").clients, 0);
    // A browser reconnecting while the server stops gets the retry hint and an end, not a stream
    // that would keep the stopping server waiting.
    const late = sseReader(await f.app.request("/api/stream/users"));
    assert.equal((await late.next()).retry, "2000");
    await assert.rejects(late.until("never", 2000), /stream ended/);
    assert.equal(hubOf(f, "users").clients, 0);
  } finally {
    await f.close();
  }
});

Deno.test("SSE: a client address past its viewer cap gets 429 across every stream; a closed viewer frees its slot", async () => {
  const f = await startFixture({ web: { sseViewersPerClient: 2 } });
  try {
    const from = (address: string, path = "/api/stream/users") =>
      f.app.request(path, {}, { address });
    const first = sseReader(await from("10.0.0.1"));
    const second = sseReader(await from("10.0.0.1", "/api/stream/sales"));
    await first.until("snapshot");
    for (const path of ["/api/stream/users", "/api/stream/clicks"]) {
      const refused = await from("10.0.0.1", path);
      assert.equal(refused.status, 429, path);
      assert.match((await refused.json()).error, /already has 2 live streams open/);
    }
    const other = sseReader(await from("10.0.0.2"));
    await other.until("snapshot");
    await first.cancel();
    const again = await from("10.0.0.1");
    assert.equal(again.status, 200, "the slot was given back");
    await again.body?.cancel();
    await second.cancel();
    await other.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("SSE: an unknown page, and the old /api/stream, get a JSON 404 naming the pages", async () => {
  const f = await startFixture();
  try {
    for (const path of ["/api/stream/nope", "/api/stream/constructor", "/api/pages/__proto__"]) {
      const res = await f.app.request(path);
      assert.equal(res.status, 404, path);
      assert.match(
        (await res.json()).error,
        /^no page "[^"]+"; there are users, sales, clicks, products, console-groups, console$/,
      );
    }
    const old = await f.app.request("/api/stream");
    assert.equal(old.status, 404);
    assert.match((await old.json()).error, /^no route or file for \/api\/stream$/);
  } finally {
    await f.close();
  }
});

Deno.test("GET /api/pages/<page> answers the snapshot the SSE stream carries", async () => {
  const f = await startFixture();
  try {
    const u = user();
    await f.produce([u]);
    await f.waitForUsers(1);
    const res = await f.app.request("/api/pages/users");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const page = await res.json() as UsersSnapshot;
    assert.equal(page.stats.total, 1);
    assert.equal(page.users[0].uuid, u.login.uuid);

    const sse = sseReader(await f.app.request("/api/stream/users"));
    assert.deepEqual(usersOf(await sse.until("snapshot")), page);
    await sse.cancel();
    for (const name of ["sales", "clicks", "products"]) {
      const other = await f.app.request(`/api/pages/${name}`);
      assert.equal(other.status, 200, name);
      assert.deepEqual(await other.json(), await f.state.pages[name].read(), name);
    }
  } finally {
    await f.close();
  }
});

Deno.test("a page added to the pages record gets its SSE stream and JSON read, updated by its live topic", async () => {
  let reads = 0;
  const f = await startFixture({}, {
    morePages: () => ({
      extra: { liveTopics: ["users.live"], read: () => Promise.resolve({ reads: ++reads }) },
    }),
  });
  try {
    assert.deepEqual(await (await f.app.request("/api/pages/extra")).json(), { reads: 1 });
    const sse = sseReader(await f.app.request("/api/stream/extra"));
    assert.deepEqual(JSON.parse((await sse.until("snapshot")).data!), { reads: 2 });
    await f.produce([user()]);
    assert.ok(JSON.parse((await sse.until("update")).data!).reads >= 3);
    await sse.cancel();
  } finally {
    await f.close();
  }
});
