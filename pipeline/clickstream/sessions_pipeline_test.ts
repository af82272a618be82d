import assert from "node:assert/strict";
import { type Config, DEFAULTS, withConfig } from "../../config.ts";
import type { Broker, OutgoingRecord } from "../ports.ts";
import { EmbeddedLog } from "../embedded/log_broker.ts";
import { SqliteRawStore } from "../embedded/raw_store.ts";
import { SqliteAggregateStore } from "../embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "../embedded/event_id_store.ts";
import { CHECKPOINTS, StreamProcessor } from "../processor.ts";
import { partitionFor } from "../partitioner.ts";
import { STREAMS } from "../stream_registry.ts";
import { silentLogger } from "../logger.ts";
import { delay } from "../async.ts";
import { override } from "../testing/crashing.ts";
import { until } from "../testing/until.ts";
import { clicksSnapshot } from "../../server/clicks_data.ts";
import { rejections } from "../../server/rejections.ts";
import { clickstreamKey } from "./generator.ts";
import type { Click, DeviceType, View } from "./events.ts";
import { SESSIONS_STREAM } from "./sessions_stream.ts";

const encoder = new TextEncoder();
const SECOND = 1000;
/** Event times of the scenario, well within the future bound of the processing clock. */
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;

function click(user: number, s: number): OutgoingRecord {
  return clickstream({
    event_type: "click",
    user_id: user,
    item_id: 3,
    timestamp: new Date(BASE + s * SECOND).toISOString(),
    page_url: "/items/3",
    click_duration: 1.5,
  });
}

function view(user: number, s: number, device: DeviceType): OutgoingRecord {
  return clickstream({
    event_type: "view",
    user_id: user,
    item_id: 3,
    timestamp: new Date(BASE + s * SECOND).toISOString(),
    view_duration: 2,
    device_type: device,
  });
}

function clickstream(value: Click | View): OutgoingRecord {
  return {
    key: clickstreamKey(value),
    value: encoder.encode(JSON.stringify(value)),
    timestamp: Date.parse(value.timestamp),
  };
}

/**
 * Runs the clicks, views and sessions processors over `records`; the clicks
 * and views streams forward to the sessions stream through `forward(broker)`.
 */
async function withSessions(
  records: { clicks: OutgoingRecord[]; views: OutgoingRecord[] },
  { forward, copies }: { forward: (broker: Broker) => Broker; copies: number },
  check: (stores: { raw: SqliteRawStore; aggregates: SqliteAggregateStore }) => Promise<void>,
) {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-sessions-" });
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    broker: { partitions: PARTITIONS },
  });
  assert.equal(config.streams.sessions.gapMs, 120_000, "the scenario assumes a two-minute gap");
  const broker = new EmbeddedLog({ path: `${dataDir}/log.db`, pollMs: 5 });
  await broker.createTopics(STREAMS.topicSpecs(config));
  const raw = new SqliteRawStore(`${dataDir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dataDir}/store.db`);
  const eventIds = new SqliteEventIdStore(`${dataDir}/store.db`);
  await broker.produce("clicks", records.clicks);
  await broker.produce("views", records.views);
  const activities = records.clicks.length + records.views.length;
  const controller = new AbortController();
  const running = (["clicks", "views", "sessions"] as const).map((stream) =>
    new StreamProcessor(
      STREAMS.get(stream).definition({ config, raw, aggregates, broker: forward(broker) }),
      { broker, raw, aggregates, eventIds, log: silentLogger },
    ).run(STREAMS.get(stream).topics.group, controller.signal, 3)
  );
  try {
    // Once the sessions stream has every activity record, a view at 400 s on each partition
    // moves every watermark past the sessions above (their own sessions stay open).
    const included = async () => {
      let n = 0;
      for await (const { doc } of raw.all(CHECKPOINTS)) {
        if (doc.stream === SESSIONS_STREAM.name) {
          n += (doc.checkpoint as { offset: number }).offset + 1;
        }
      }
      return n;
    };
    await until(async () => (await included()) >= activities * copies);
    await broker.produce("views", CLOSERS);
    await check({ raw, aggregates });
  } finally {
    controller.abort();
    await Promise.all(running);
    await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
    await Deno.remove(dataDir, { recursive: true });
  }
}

const PARTITIONS = 4;

/** A user (past 100) whose records go to `partition`. */
function userOn(partition: number): number {
  for (let user = 101;; user++) {
    if (partitionFor(String(user), PARTITIONS) === partition) return user;
  }
}

/** A desktop view at 400 s on every partition: open sessions, never counted here. */
const CLOSERS = Array.from({ length: PARTITIONS }, (_, p) => view(userOn(p), 400, "desktop"));

/**
 * User 1: view, click, view within the gap on mobile (one session of 60 s);
 * user 2: two clicks 10 s apart (clicks only); user 3: a tablet view, and
 * 130 s later (past the gap) a desktop view.
 */
const SCENARIO = {
  clicks: [click(1, 30), click(2, 0), click(2, 10)],
  // In event-time order: the views stream's own rate windows would refuse a view 60 s late.
  views: [
    view(1, 0, "mobile"),
    view(3, 0, "tablet"),
    view(1, 60, "mobile"),
    view(3, 130, "desktop"),
  ],
};

const EXPECTED = {
  mobile: { sessions: 1, meanDurationMs: 60_000, eventsPerSession: 3 },
  desktop: { sessions: 1, meanDurationMs: 0, eventsPerSession: 1 },
  tablet: { sessions: 1, meanDurationMs: 0, eventsPerSession: 1 },
  none: { sessions: 1, meanDurationMs: 10_000, eventsPerSession: 2 },
};

Deno.test("sessions of clicks and views keyed by user reach the clickstream page per device", async () => {
  const options = { forward: (broker: Broker) => broker, copies: 1 };
  await withSessions(SCENARIO, options, async ({ raw, aggregates }) => {
    const sessions = async () => (await clicksSnapshot(raw, aggregates, Date.now())).sessions;
    await until(async () => JSON.stringify(await sessions()) === JSON.stringify(EXPECTED))
      .catch(() => {});
    assert.deepEqual(await sessions(), EXPECTED);
    assert.deepEqual(await raw.count(SESSIONS_STREAM.collection), 0, "no raw copies stored");
  });
});

Deno.test("activity forwarded again by a replayed clicks or views batch counts once", async () => {
  // Every forward lands twice, as when a batch is forwarded, the processor dies before its
  // commit, and the batch is processed and forwarded again.
  const twice = (broker: Broker) =>
    override(broker, {
      produce: async (topic: string, records: OutgoingRecord[]) => {
        await broker.produce(topic, records);
        await broker.produce(topic, records);
      },
    });
  await withSessions(SCENARIO, { forward: twice, copies: 2 }, async ({ raw, aggregates }) => {
    const forwarded = SCENARIO.clicks.length + SCENARIO.views.length + CLOSERS.length;
    await until(async () =>
      (await rejections(aggregates, SESSIONS_STREAM.name)).duplicate === forwarded
    );
    await until(async () =>
      JSON.stringify((await clicksSnapshot(raw, aggregates, Date.now())).sessions) ===
        JSON.stringify(EXPECTED)
    ).catch(() => {});
    await delay(50); // anything counted twice would land by now
    assert.deepEqual((await clicksSnapshot(raw, aggregates, Date.now())).sessions, EXPECTED);
    assert.equal((await rejections(aggregates, SESSIONS_STREAM.name)).duplicate, forwarded);
  });
});
