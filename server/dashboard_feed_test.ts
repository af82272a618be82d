import assert from "node:assert/strict";
import { DEFAULTS } from "../config.ts";
import { EmbeddedLog } from "../pipeline/embedded/log_broker.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { delay } from "../pipeline/async.ts";
import { dashboardHubs, runDashboardFeed } from "./dashboard_feed.ts";
import type { DashboardReads } from "./state.ts";
import type { ClicksSnapshot, ProductsSnapshot, SalesSnapshot } from "./dashboards.ts";

async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-dashboard-feed-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(DEFAULTS));
  const reads = { sales: 0, clicks: 0, products: 0 };
  const dashboardReads: DashboardReads = {
    sales: () => (reads.sales++, Promise.resolve({} as SalesSnapshot)),
    clicks: () => (reads.clicks++, Promise.resolve({} as ClicksSnapshot)),
    products: () => (reads.products++, Promise.resolve({} as ProductsSnapshot)),
  };
  const hubs = dashboardHubs(DEFAULTS, dashboardReads);
  const controller = new AbortController();
  let ready!: () => void;
  const following = new Promise<void>((resolve) => (ready = resolve));
  const feed = runDashboardFeed({
    broker,
    hubs,
    reads: dashboardReads,
    log: silentLogger,
    signal: controller.signal,
    intervalMs: 10,
    refreshMs: 50,
    onReady: ready,
  });
  await following;
  return {
    broker,
    hubs,
    reads,
    stop: async () => {
      controller.abort();
      await feed;
      await broker.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("a page with viewers is pushed an update on each announcement of its streams", async () => {
  const { broker, hubs, reads, stop } = await setup();
  const viewer = hubs.sales.connect(hubs.sales.lastId); // up to date: no snapshot first
  await broker.produce("sales.live", [{ key: null, value: new TextEncoder().encode("{}") }]);
  const deadline = Date.now() + 2000;
  while (reads.sales === 0 && Date.now() < deadline) await delay(5);
  assert.ok(reads.sales >= 1);
  assert.ok((await viewer.take(100)).some((f) => f.includes("event: update")));
  viewer.close();
  await stop();
});

Deno.test("pages with viewers are read again on the clock; pages without are not read", async () => {
  const { hubs, reads, stop } = await setup();
  const viewer = hubs.clicks.connect();
  await delay(300);
  assert.ok(reads.clicks >= 3, `clicks read ${reads.clicks} times in 300 ms at 50 ms`);
  assert.equal(reads.sales + reads.products, 0, "nobody watches sales or products");
  viewer.close();
  await stop();
});
