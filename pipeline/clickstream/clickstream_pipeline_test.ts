import assert from "node:assert/strict";
import { type Config, DEFAULTS, withConfig } from "../../config.ts";
import type { OutgoingRecord } from "../ports.ts";
import { EmbeddedLog } from "../embedded/log_broker.ts";
import { SqliteRawStore } from "../embedded/raw_store.ts";
import { SqliteAggregateStore } from "../embedded/aggregate_store.ts";
import { StreamProcessor } from "../processor.ts";
import { STREAMS } from "../stream_registry.ts";
import { silentLogger } from "../logger.ts";
import { delay } from "../async.ts";
import { partitionFor } from "../partitioner.ts";
import { clicksSnapshot } from "../../server/clicks_data.ts";
import type { ClicksSnapshot } from "../../server/dashboards.ts";
import { clickstreamKey } from "./generator.ts";
import { CLICKSTREAM_TOPICS, type ClickstreamTopic, EVENT_TYPE } from "./events.ts";
import { clickstreamNames, clickstreamStream } from "./clickstream_stream.ts";

const encoder = new TextEncoder();
const PARTITIONS = 4;
/** 07:29:00 UTC: second `s` of the scenario is `at(s)`. */
const MINUTE = Date.UTC(2025, 1, 16, 7, 29, 0);
/**
 * The dashboard is read at 07:30:00.400; its per-second line covers 07:28:53-07:29:52, the
 * seconds up to the watermark.
 */
const NOW = MINUTE + 60_400;

function at(seconds: number): number {
  return MINUTE + Math.round(seconds * 1000);
}

/** The `n`th user (1-1000) whose records go to `partition`. */
function userOn(partition: number, n = 0): number {
  for (let user = 1, seen = 0; user <= 1000; user++) {
    if (partitionFor(String(user), PARTITIONS) === partition && seen++ === n) return user;
  }
  throw new Error(`no user on partition ${partition}`);
}

/** A valid record of `topic` at second `s` (from 07:29:00) by a user on `partition`. */
interface Planned {
  s: number;
  partition: number;
  item: number;
  /** Device of a view, stars of a rating. */
  extra?: string | number;
}

function record(topic: ClickstreamTopic, p: Planned): OutgoingRecord {
  const common = {
    event_type: EVENT_TYPE[topic],
    user_id: userOn(p.partition),
    item_id: p.item,
    timestamp: new Date(at(p.s)).toISOString(),
  };
  const value = topic === "clicks"
    ? { ...common, page_url: `/items/${p.item}`, click_duration: 1.5 }
    : topic === "views"
    ? { ...common, view_duration: 12.25, device_type: p.extra }
    : { ...common, rating: p.extra, review_text: "ok" };
  return {
    key: clickstreamKey(value),
    value: encoder.encode(JSON.stringify(value)),
    timestamp: at(p.s), // the producer's clock, here the event time
  };
}

function invalid(value: unknown, s: number): OutgoingRecord {
  return {
    key: "1",
    value: encoder.encode(typeof value === "string" ? value : JSON.stringify(value)),
    timestamp: at(s),
  };
}

/**
 * Each topic: events over the minute in time order, spread over the four
 * partitions; then one record per partition at 07:29:58, which puts every
 * partition's watermark at 07:29:53 (5 s of out-of-orderness), firing the rate
 * windows up to [07:29:43, 07:29:53); then late and invalid records (late:
 * every window of the record has fired, so before 07:29:44, with no allowed
 * lateness).
 */
const CLICKS: Planned[] = [
  { s: 20.1, item: 5 },
  { s: 30.5, item: 5 },
  { s: 43.2, item: 7 },
  { s: 44.9, item: 5 },
  { s: 47, item: 8 },
  { s: 52.999, item: 7 },
  { s: 53, item: 9 },
].map((e, i) => ({ ...e, partition: i % PARTITIONS }));
const CLICK_CLOSERS: Planned[] = [5, 8, 9, 7].map((item, partition) => ({
  s: 58,
  partition,
  item,
}));

const VIEWS: Planned[] = [
  { s: -0.1, item: 3, extra: "mobile" }, // 07:28:59.900: counted, in second 07:28:59 of the line
  { s: 10, item: 1, extra: "desktop" },
  { s: 20, item: 2, extra: "tablet" },
  { s: 25, item: 3, extra: "mobile" },
  { s: 30, item: 500, extra: "desktop" },
  { s: 35, item: 1, extra: "mobile" },
  { s: 40, item: 9, extra: "mobile" },
  { s: 42.999, item: 4, extra: "mobile" },
  { s: 43, item: 2, extra: "desktop" },
  { s: 43.5, item: 10, extra: "tablet" },
  { s: 44, item: 11, extra: "mobile" },
  { s: 45, item: 3, extra: "mobile" },
  { s: 46, item: 12, extra: "desktop" },
  { s: 47, item: 13, extra: "mobile" },
  { s: 48, item: 14, extra: "tablet" },
  { s: 49, item: 15, extra: "mobile" },
  { s: 50, item: 16, extra: "desktop" },
  { s: 51, item: 17, extra: "mobile" },
  { s: 52, item: 1, extra: "mobile" },
  { s: 52.5, item: 2, extra: "tablet" },
  { s: 52.9, item: 3, extra: "desktop" },
  { s: 52.95, item: 500, extra: "mobile" },
].map((e, i) => ({ ...e, partition: i % PARTITIONS }));
const VIEW_CLOSERS: Planned[] = [
  { item: 20, extra: "mobile" },
  { item: 21, extra: "desktop" },
  { item: 22, extra: "tablet" },
  { item: 23, extra: "mobile" },
].map((e, partition) => ({ ...e, s: 58, partition }));

const RATINGS: Planned[] = [
  { s: 5, item: 7, extra: 5 },
  { s: 15, item: 3, extra: 1 },
  { s: 25, item: 12, extra: 5 },
  { s: 44, item: 7, extra: 4 },
  { s: 46, item: 3, extra: 2 },
  { s: 48, item: 12, extra: 4 },
  { s: 50, item: 7, extra: 4 },
  { s: 51, item: 9, extra: 3 },
].map((e, i) => ({ ...e, partition: i % PARTITIONS }));
const RATING_CLOSERS: Planned[] = [
  { item: 30, extra: 5 },
  { item: 31, extra: 1 },
  { item: 32, extra: 3 },
  { item: 33, extra: 2 },
].map((e, partition) => ({ ...e, s: 58, partition }));

const VALID: Record<ClickstreamTopic, Planned[]> = {
  clicks: [...CLICKS, ...CLICK_CLOSERS],
  views: [...VIEWS, ...VIEW_CLOSERS],
  ratings: [...RATINGS, ...RATING_CLOSERS],
};

function scenario(topic: ClickstreamTopic): OutgoingRecord[] {
  const records = VALID[topic].map((p) => record(topic, p));
  if (topic === "clicks") {
    records.push(
      // partition 0's watermark is 07:29:53: [07:29:34, 07:29:44) ... [07:29:43, 07:29:53) have fired: late
      record(topic, { s: 43.5, partition: 0, item: 5 }),
      invalid("{not json", 55),
      invalid(
        { ...JSON.parse(new TextDecoder().decode(records[0].value)), event_type: "view" },
        55,
      ),
    );
  } else if (topic === "views") {
    records.push(invalid({
      event_type: "view",
      user_id: 4,
      item_id: 4,
      timestamp: new Date(at(56)).toISOString(),
      view_duration: 1,
      device_type: "tv",
    }, 56));
  } else {
    records.push(
      record(topic, { s: 43.5, partition: 2, item: 7, extra: 1 }), // late: every window fired
      invalid({
        event_type: "rating",
        user_id: 4,
        item_id: 4,
        timestamp: new Date(at(56)).toISOString(),
        rating: 9,
        review_text: "",
      }, 56),
    );
  }
  return records;
}

/**
 * Events of each second up to 07:29:52, the newest one the watermark
 * (07:29:53 on every partition) has passed, worked out from the plan.
 */
function perSecond(): ClicksSnapshot["rateSeries"] {
  return Array.from({ length: 60 }, (_, i) => {
    const s = i - 7;
    const count = (topic: ClickstreamTopic) =>
      VALID[topic].filter((p) => at(p.s) >= at(s) && at(p.s) < at(s + 1)).length;
    return { t: at(s), clicks: count("clicks"), views: count("views"), ratings: count("ratings") };
  });
}

const EXPECTED: ClicksSnapshot = {
  // Events in the newest closed window [07:29:43, 07:29:53), per second.
  rates: { clicks: 0.4, views: 1.4, ratings: 0.5 },
  rateSeries: perSecond(),
  totals: { clicks: 11, views: 26, ratings: 12 },
  topViewed: [
    { item: 3, views: 4 },
    { item: 1, views: 3 },
    { item: 2, views: 3 },
    { item: 500, views: 2 },
    { item: 4, views: 1 },
    { item: 9, views: 1 },
    { item: 10, views: 1 },
    { item: 11, views: 1 },
    { item: 12, views: 1 },
    { item: 13, views: 1 },
  ],
  topClicked: [
    { item: 5, clicks: 4 },
    { item: 7, clicks: 3 },
    { item: 8, clicks: 2 },
    { item: 9, clicks: 2 },
  ],
  ratings: [
    { item: 7, average: 4.33, count: 3 }, // 5 + 4 + 4
    { item: 3, average: 1.5, count: 2 }, // 1 + 2
    { item: 12, average: 4.5, count: 2 }, // 5 + 4
    { item: 9, average: 3, count: 1 },
    { item: 30, average: 5, count: 1 },
    { item: 31, average: 1, count: 1 },
    { item: 32, average: 3, count: 1 },
    { item: 33, average: 2, count: 1 },
  ],
  devices: { mobile: 14, desktop: 7, tablet: 5 },
  // The sessions stream is not run here (see sessions_pipeline_test.ts).
  sessions: {
    mobile: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
    desktop: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
    tablet: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
    none: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
  },
  rejected: {
    clicks: { invalid: 2, late: 1, processingError: 0, duplicate: 0 },
    views: { invalid: 1, late: 0, processingError: 0, duplicate: 0 },
    ratings: { invalid: 1, late: 1, processingError: 0, duplicate: 0 },
  },
};

async function setup(records: Partial<Record<ClickstreamTopic, OutgoingRecord[]>>) {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-clicks-" });
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    broker: { partitions: PARTITIONS },
  });
  for (const topic of CLICKSTREAM_TOPICS) {
    assert.equal(
      config.streams.outOfOrdernessMs[topic],
      5000,
      "the scenario assumes 5 s of out-of-orderness",
    );
    assert.equal(config.streams.allowedLatenessMs[topic], 0, "and no allowed lateness");
  }
  const broker = new EmbeddedLog({ path: `${dataDir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(config));
  const raw = new SqliteRawStore(`${dataDir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dataDir}/store.db`);
  for (const [topic, list] of Object.entries(records)) await broker.produce(topic, list);
  const controller = new AbortController();
  const running = CLICKSTREAM_TOPICS.map((topic) =>
    new StreamProcessor(clickstreamStream(topic, config, { aggregates }), {
      broker,
      raw,
      aggregates,
      log: silentLogger,
    }).run(clickstreamNames(topic).group, controller.signal, 3)
  );
  const stop = async () => {
    controller.abort();
    await Promise.all(running);
    await Promise.all([broker.close(), raw.close(), aggregates.close()]);
    await Deno.remove(dataDir, { recursive: true });
  };
  return { raw, aggregates, stop };
}

async function until(done: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return;
    await delay(10);
  }
}

/** True once every produced record is counted or rejected and every topic has a rate. */
function settled(produced: Partial<Record<ClickstreamTopic, number>>) {
  return (snapshot: ClicksSnapshot) =>
    Object.entries(produced).every(([topic, n]) => {
      const t = topic as ClickstreamTopic;
      const { invalid, late } = snapshot.rejected[t];
      return snapshot.totals[t] + invalid + late >= n! && snapshot.rates[t] > 0;
    });
}

Deno.test("the clickstream page shows exact totals, top items, ratings, devices, rejections and rates", async () => {
  const records = Object.fromEntries(CLICKSTREAM_TOPICS.map((t) => [t, scenario(t)]));
  const { raw, aggregates, stop } = await setup(records);
  try {
    const done = settled(Object.fromEntries(CLICKSTREAM_TOPICS.map((t) => [t, records[t].length])));
    await until(async () => done(await clicksSnapshot(raw, aggregates, NOW)));
    await delay(50); // anything counted twice would land by now
    assert.deepEqual(await clicksSnapshot(raw, aggregates, NOW), EXPECTED);
  } finally {
    await stop();
  }
});

Deno.test("a topic whose newest closed window ended over a minute ago shows 0 events per second", async () => {
  const records = { clicks: scenario("clicks") };
  const { raw, aggregates, stop } = await setup(records);
  try {
    await until(async () =>
      settled({ clicks: records.clicks.length })(await clicksSnapshot(raw, aggregates, NOW))
    );
    // The newest closed window starts at 07:29:43: read at 07:30:53.001 it is out of range.
    assert.equal((await clicksSnapshot(raw, aggregates, at(113) + 1)).rates.clicks, 0);
    assert.equal((await clicksSnapshot(raw, aggregates, at(112))).rates.clicks, 0.4);
    assert.equal((await clicksSnapshot(raw, aggregates, NOW)).rates.views, 0, "no views at all");
  } finally {
    await stop();
  }
});

Deno.test("a steady one event per second spread over every partition shows 1 event per second", async () => {
  // Ratings at 07:29:20, :21, ... :49, users taking turns on the four partitions. Every
  // ten-second window of that stretch holds ten ratings, whichever partitions they came from.
  const steady: Planned[] = Array.from({ length: 30 }, (_, i) => ({
    s: 20 + i,
    partition: i % PARTITIONS,
    item: 1 + i,
    extra: 4,
  }));
  const records = { ratings: steady.map((p) => record("ratings", p)) };
  const { raw, aggregates, stop } = await setup(records);
  try {
    await until(async () => settled({ ratings: 30 })(await clicksSnapshot(raw, aggregates, NOW)));
    await delay(50);
    const snapshot = await clicksSnapshot(raw, aggregates, NOW);
    assert.equal(snapshot.totals.ratings, 30);
    assert.equal(
      snapshot.rates.ratings,
      1,
      "the rate is the whole count of a closed window, not the part of the partitions that closed it",
    );
  } finally {
    await stop();
  }
});
