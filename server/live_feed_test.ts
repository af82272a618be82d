import assert from "node:assert/strict";
import { DEFAULTS } from "../config.ts";
import { EmbeddedLog } from "../pipeline/embedded/log_broker.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { delay } from "../pipeline/async.ts";
import { pageHubs, runLiveFeed } from "./live_feed.ts";
import type { Pages } from "./dashboards.ts";

/** Pages that count their reads; `clicks` follows three topics, `both` shares `sales.live`. */
function countingPages() {
  const reads = { users: 0, sales: 0, clicks: 0, both: 0 };
  const page = (name: keyof typeof reads, liveTopics: string[]) => ({
    liveTopics,
    read: () => Promise.resolve({ page: name, read: ++reads[name] }),
  });
  const pages: Pages = {
    users: page("users", ["users.live"]),
    sales: page("sales", ["sales.live"]),
    clicks: page("clicks", ["clicks.live", "views.live", "ratings.live"]),
    both: page("both", ["sales.live", "products.live"]),
  };
  return { pages, reads };
}

async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-live-feed-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(DEFAULTS));
  const { pages, reads } = countingPages();
  const hubs = pageHubs(pages, DEFAULTS.web);
  const controller = new AbortController();
  let ready!: () => void;
  const following = new Promise<void>((resolve) => (ready = resolve));
  const feed = runLiveFeed({
    broker,
    pages,
    hubs,
    log: silentLogger,
    signal: controller.signal,
    intervalMs: 10,
    refreshMs: 50,
    onReady: ready,
  });
  await following;
  const hub = (name: string) => hubs.get(name)!;
  const announce = (topic: string) =>
    broker.produce(topic, [{ key: null, value: new TextEncoder().encode("{}") }]);
  return {
    hub,
    reads,
    announce,
    stop: async () => {
      controller.abort();
      for (const h of hubs.values()) h.close();
      await feed;
      await broker.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

Deno.test("each page gets one hub, whose snapshot is the page's read", async () => {
  const { pages, reads } = countingPages();
  const hubs = pageHubs(pages, DEFAULTS.web);
  assert.deepEqual([...hubs.keys()], ["users", "sales", "clicks", "both"]);
  assert.equal(
    new TextDecoder().decode(await hubs.get("users")!.snapshotFrame()),
    `id: ${hubs.get("users")!.lastId}\nevent: snapshot\ndata: {"page":"users","read":1}\n\n`,
  );
  assert.equal(reads.sales, 0, "no other page read");
});

Deno.test("a page with viewers is pushed its whole read as an update on each announcement of its topics", async () => {
  const { hub, reads, announce, stop } = await setup();
  try {
    const users = hub("users").connect(hub("users").lastId); // up to date: no snapshot first
    await announce("users.live");
    await until(() => reads.users >= 1, "the users page to be read");
    const frames = (await users.take() ?? []).map((chunk) => new TextDecoder().decode(chunk));
    assert.ok(
      frames.some((f) => f.includes("event: update") && f.includes('"page":"users"')),
      frames.join(""),
    );
    assert.equal(reads.sales + reads.clicks + reads.both, 0, "other pages are not read");

    const clicks = hub("clicks").connect(hub("clicks").lastId);
    await announce("ratings.live");
    await until(() => reads.clicks >= 1, "a page to follow every one of its topics");
    const clicksGot = (await clicks.take() ?? []).map((chunk) => new TextDecoder().decode(chunk));
    assert.ok(clicksGot.some((f) => f.includes('"page":"clicks"')));
    users.close();
    clicks.close();
  } finally {
    await stop();
  }
});

Deno.test("every page that follows a topic is updated by its announcement", async () => {
  const { hub, reads, announce, stop } = await setup();
  try {
    const sales = hub("sales").connect(hub("sales").lastId);
    const both = hub("both").connect(hub("both").lastId);
    await announce("sales.live");
    await until(() => reads.sales >= 1 && reads.both >= 1, "both pages to be read");
    assert.equal(reads.users + reads.clicks, 0);
    sales.close();
    both.close();
  } finally {
    await stop();
  }
});

Deno.test("pages with viewers are read again on the clock; pages without are not read", async () => {
  const { hub, reads, stop } = await setup();
  try {
    const viewer = hub("clicks").connect();
    await delay(300);
    assert.ok(reads.clicks >= 3, `clicks read ${reads.clicks} times in 300 ms at 50 ms`);
    assert.equal(reads.sales + reads.users + reads.both, 0, "nobody watches the other pages");
    viewer.close();
  } finally {
    await stop();
  }
});

Deno.test("an update reaches its viewers' sockets before the next, which rests as long as that took", async () => {
  const { hub, reads, announce, stop } = await setup();
  const users = hub("users");
  // More viewers than the few allowed to lag, each handing an update on 150 ms after taking it
  // (a socket slow to accept it), as ten thousand viewers of a busy server do.
  const viewers = Array.from({ length: 12 }, () => users.connect(users.lastId));
  const updatesAt: number[][] = viewers.map(() => []);
  const watching = viewers.map(async (viewer, i) => {
    for (;;) {
      const chunks = await viewer.take();
      if (chunks === null) return;
      if (chunks.length > 0) updatesAt[i].push(performance.now());
      await delay(150);
    }
  });
  try {
    const until = performance.now() + 1500;
    while (performance.now() < until) {
      await announce("users.live");
      await delay(10);
    }
    const times = updatesAt[0];
    assert.ok(times.length >= 3, `${times.length} updates in 1.5 s of announcements`);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // Taking 150 ms, then 150 ms of rest: without the rest the next would follow at 150 ms.
    assert.ok(gaps.every((gap) => gap >= 250), `gaps between updates ${gaps.map(Math.round)} ms`);
    assert.ok(
      updatesAt.every((at) => Math.abs(at.length - times.length) <= 1),
      "every viewer gets the updates",
    );
    assert.ok(reads.users <= times.length + 1, `${reads.users} reads for ${times.length} updates`);
  } finally {
    for (const viewer of viewers) viewer.close();
    await Promise.all(watching);
    await stop();
  }
});
