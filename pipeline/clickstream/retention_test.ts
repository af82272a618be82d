import assert from "node:assert/strict";
import { DEFAULTS } from "../../config.ts";
import { EmbeddedLog } from "../embedded/log_broker.ts";
import { SqliteRawStore } from "../embedded/raw_store.ts";
import { SqliteAggregateStore } from "../embedded/aggregate_store.ts";
import { StreamProcessor } from "../processor.ts";
import { STREAMS } from "../stream_registry.ts";
import { silentLogger } from "../logger.ts";
import { delay } from "../async.ts";
import { clickstreamStream, RECENT_KEEP_MS, SECOND_DIMENSION } from "./clickstream_stream.ts";

Deno.test("per-second counts older than ten minutes are deleted; totals stay", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-retention-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(DEFAULTS));
  const raw = new SqliteRawStore(`${dir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dir}/store.db`);
  const T = Date.UTC(2026, 10, 22, 12, 0, 0);
  let clock = T;
  const click = (i: number) => ({
    event_type: "click",
    user_id: 1,
    item_id: 1,
    timestamp: new Date(T + i * 1000).toISOString(),
    page_url: "/items/1",
    click_duration: 1,
  });
  // Seconds 0-2, and a click at 20 s that moves the watermark past them (their windows fire).
  await broker.produce(
    "clicks",
    [0, 1, 2, 20].map((i) => ({
      key: "1",
      value: new TextEncoder().encode(JSON.stringify(click(i))),
      timestamp: T + i * 1000,
    })),
  );
  const processor = new StreamProcessor(clickstreamStream("clicks", DEFAULTS, { aggregates }), {
    broker,
    raw,
    aggregates,
    log: silentLogger,
    now: () => clock,
  });
  const controller = new AbortController();
  const running = processor.run("streamboard-clicks", controller.signal, 10);
  const total = async () =>
    Number((await aggregates.totals("clicks", "count")).reduce((n, t) => n + t.value, 0n));
  const deadline = Date.now() + 5000;
  const seconds = () =>
    aggregates.series({
      stream: "clicks",
      dimension: SECOND_DIMENSION,
      from: T - 3_600_000,
      to: T + 3_600_000,
    });
  while ((await seconds()).length < 3 && Date.now() < deadline) await delay(5);
  controller.abort();
  await running;
  assert.deepEqual((await seconds()).map((p) => [p.windowStart - T, p.value]), [
    [0, 1n],
    [1000, 1n],
    [2000, 1n],
  ], "one cell per second the watermark has passed");

  clock = T + RECENT_KEEP_MS - 1000; // the newest second is younger than ten minutes
  await processor.tick(controller.signal);
  assert.equal((await seconds()).length, 3, "nothing expired yet");

  clock = T + RECENT_KEEP_MS + 3000 + 60_000; // a minute later, all three have expired
  await processor.tick(controller.signal);
  assert.deepEqual(await seconds(), []);
  assert.equal(await total(), 4, "all-time totals are kept");
  await Promise.all([broker.close(), raw.close(), aggregates.close()]);
  await Deno.remove(dir, { recursive: true });
});
