import assert from "node:assert/strict";
import { startFixture } from "../../testing/app_fixture.ts";
import { generateUser } from "../../pipeline/users/generator.ts";
import { seededRandom } from "../../pipeline/random.ts";

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

/** Reads SSE frames from a response body. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const next = async (): Promise<SseEvent> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) event.comment = line.slice(1).trim();
          else {
            const at = line.indexOf(": ");
            (event as Record<string, string>)[line.slice(0, at)] = line.slice(at + 2);
          }
        }
        return event;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += value;
    }
  };
  /** Next event named `name` (skipping others), within `timeoutMs`. */
  const until = async (name: string, timeoutMs = 5000): Promise<SseEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await Promise.race([
        next(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no "${name}" event in time`)), deadline - Date.now())
        ),
      ]);
      if (event.event === name || (name === "comment" && event.comment)) return event;
    }
  };
  return { next, until, cancel: () => reader.cancel() };
}

const random = seededRandom(99);
const user = () => generateUser(random, Date.now());

Deno.test("SSE: retry hint, a snapshot, then users and stats events with ids", async () => {
  const f = await startFixture();
  try {
    const res = await f.app.request("/api/stream");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.equal(res.headers.get("cache-control"), "no-cache, no-transform");
    const sse = sseReader(res);
    const hello = await sse.next();
    assert.equal(hello.retry, "2000");
    const snapshot = await sse.until("snapshot");
    assert.ok(snapshot.id);
    assert.deepEqual(JSON.parse(snapshot.data!).stats.total, 0);
    const u = user();
    await f.produce([u]);
    const users = await sse.until("users");
    assert.equal(JSON.parse(users.data!).users[0].uuid, u.login.uuid);
    assert.equal(JSON.parse(users.data!).users[0].fullName, `${u.name.first} ${u.name.last}`);
    const stats = await sse.until("stats");
    assert.equal(JSON.parse(stats.data!).total, 1);
    assert.notEqual(stats.id, users.id);
    await sse.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("SSE: a browser reconnecting with Last-Event-ID gets exactly what it missed", async () => {
  const f = await startFixture();
  try {
    const first = sseReader(await f.app.request("/api/stream"));
    await first.until("snapshot");
    const a = user();
    await f.produce([a]);
    const seen = await first.until("users");
    await first.cancel();
    const b = user();
    await f.produce([b]);
    await f.waitForUsers(2);
    const again = sseReader(
      await f.app.request("/api/stream", { headers: { "last-event-id": seen.id! } }),
    );
    await again.next();
    const replayed = await again.next();
    assert.notEqual(replayed.event, "snapshot", "no snapshot when the gap can be replayed");
    const missed = replayed.event === "users" ? replayed : await again.until("users");
    assert.deepEqual(JSON.parse(missed.data!).users.map((u: { uuid: string }) => u.uuid), [
      b.login.uuid,
    ]);
    await again.cancel();

    const stale = sseReader(
      await f.app.request("/api/stream", { headers: { "last-event-id": "old-run-5" } }),
    );
    const resync = await stale.until("snapshot");
    assert.equal(JSON.parse(resync.data!).users.length, 2, "an unknown id resynchronises");
    await stale.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("SSE: heartbeats while idle; a disconnect frees the viewer", async () => {
  const f = await startFixture({ sseHeartbeatMs: 100 });
  try {
    const sse = sseReader(await f.app.request("/api/stream"));
    await sse.until("snapshot");
    assert.equal(f.state.hub.clients, 1);
    assert.equal((await sse.until("comment", 2000)).comment, "heartbeat");
    await sse.cancel();
    assert.equal(f.state.hub.clients, 0);
  } finally {
    await f.close();
  }
});

Deno.test("SSE: one shared feed reaches every viewer; closing the hub ends open streams", async () => {
  const f = await startFixture();
  try {
    const viewers = await Promise.all(
      [1, 2, 3].map(async () => sseReader(await f.app.request("/api/stream"))),
    );
    for (const v of viewers) await v.until("snapshot");
    const u = user();
    await f.produce([u]);
    for (const v of viewers) {
      assert.equal(JSON.parse((await v.until("users")).data!).users[0].uuid, u.login.uuid);
    }
    f.state.hub.close();
    for (const v of viewers) await assert.rejects(v.until("never", 2000), /stream ended/);
    assert.equal(f.state.hub.clients, 0);
  } finally {
    await f.close();
  }
});

Deno.test("SSE: a client address past its viewer cap gets 429 across every stream; a closed viewer frees its slot", async () => {
  const f = await startFixture({ sseViewersPerClient: 2 });
  try {
    const from = (address: string, path = "/api/stream") => f.app.request(path, {}, { address });
    const first = sseReader(await from("10.0.0.1"));
    const second = sseReader(await from("10.0.0.1", "/api/stream/sales"));
    await first.until("snapshot");
    for (const path of ["/api/stream", "/api/stream/clicks"]) {
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
