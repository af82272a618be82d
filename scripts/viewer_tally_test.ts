import assert from "node:assert/strict";
import { everyLiveViewerHas, quantile, ViewerTally } from "./viewer_tally.ts";

const encoder = new TextEncoder();
const HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
const chunk = (seq: number, sentAt: number) =>
  `id: e-${seq}\nevent: update\ndata: {"users":[]}\n\n` +
  `id: e-${seq + 1}\nevent: latency\ndata: {"sentAt":${sentAt},"stored":null,"produced":[]}\n\n`;

Deno.test("a viewer counts the updates sent in the window, with their delays, across split reads", () => {
  const tally = new ViewerTally();
  const seen = { delays: [] as number[], sent: new Set<string>(), chunkChars: 0 };
  const window = { from: 1000, to: 2000 };
  const text = HEAD + "retry: 2000\n: connected\n\n" +
    `id: e-0\nevent: snapshot\ndata: {}\n\n` + chunk(1, 900) + chunk(3, 1500) + chunk(5, 2500);
  const bytes = encoder.encode(text);
  // Split everywhere a socket might: inside the head, an id, a number.
  for (let at = 0; at < bytes.length; at += 7) {
    tally.read(bytes.subarray(at, at + 7), { now: 1520, window, seen });
  }
  assert.equal(tally.accepted, true);
  assert.equal(tally.live, true, "the snapshot came");
  assert.equal(tally.updates, 1, "only the update sent at 1500 is in the window");
  assert.deepEqual(seen.delays, [20]);
  assert.deepEqual([...seen.sent], ["e-4"]);
  assert.equal(
    seen.chunkChars,
    chunk(3, 1500).length,
    "the counted chunk's size: update and latency events",
  );
});

Deno.test("a refused viewer is not accepted, and a snapshot in the window counts as a resync", () => {
  const refused = new ViewerTally();
  const seen = { delays: [], sent: new Set<string>(), chunkChars: 0 };
  refused.read(encoder.encode("HTTP/1.1 429 Too Many Requests\r\n\r\n{}"), {
    now: 0,
    window: undefined,
    seen,
  });
  assert.equal(refused.accepted, false);
  const resynced = new ViewerTally();
  resynced.read(encoder.encode(HEAD + "id: e-9\nevent: snapshot\ndata: {}\n\n"), {
    now: 1500,
    window: { from: 1000, to: 2000 },
    seen,
  });
  assert.equal(resynced.snapshots, 1);
});

Deno.test("quantiles pick from the sorted values", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(values, 0.5), 51);
  assert.equal(quantile(values, 0.99), 100);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

Deno.test("the count waits for every live viewer to have every update, not for viewers never live", () => {
  const viewer = (live: boolean, updates: number) =>
    Object.assign(new ViewerTally(), { live, updates });
  assert.equal(everyLiveViewerHas([viewer(true, 18), viewer(true, 18)], 18), true);
  assert.equal(everyLiveViewerHas([viewer(true, 18), viewer(true, 17)], 18), false, "one is late");
  assert.equal(
    everyLiveViewerHas([viewer(true, 18), viewer(false, 0)], 18),
    true,
    "one never came",
  );
});
