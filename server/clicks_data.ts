/** The clickstream page's reads: rates, totals, top items, ratings, devices and sessions. */

import type {
  AggregateStore,
  AggregateTotal,
  DocumentQuery,
  FieldCondition,
  RawStore,
} from "../pipeline/ports.ts";
import {
  RATE_DIMENSION,
  RATE_SLIDE_MS,
  RATE_WINDOW_MS,
  SECOND_DIMENSION,
} from "../pipeline/clickstream/clickstream_stream.ts";
import { type PartitionReadModel, readModels } from "../pipeline/read_models.ts";
import { CLICKSTREAM_TOPICS, type ClickstreamTopic } from "../pipeline/clickstream/events.ts";
import type { ClicksSnapshot, PerTopic } from "./dashboards.ts";
import { rejections } from "./rejections.ts";
import { countOf, grandTotal } from "../pipeline/aggregate_sums.ts";
import { SESSIONS_STREAM } from "../pipeline/clickstream/sessions_stream.ts";
import { sessionFigures } from "../pipeline/clickstream/sessions.ts";
import { type PageView, viewBounds } from "./page_filters.ts";

/** Seconds of history in the rate line. */
export const SERIES_SECONDS = 60;
/** Rows in each top list. */
export const TOP = 10;

function perTopic<T>(make: (topic: ClickstreamTopic) => T): Record<ClickstreamTopic, T> {
  return Object.fromEntries(CLICKSTREAM_TOPICS.map((t) => [t, make(t)])) as Record<
    ClickstreamTopic,
    T
  >;
}

function top(rows: AggregateTotal[]): AggregateTotal[] {
  return [...rows]
    .sort((a, b) =>
      (a.value < b.value ? 1 : a.value > b.value ? -1 : 0) || Number(a.key) - Number(b.key)
    )
    .slice(0, TOP);
}

/**
 * The watermark of each topic: the lowest of its partitions' watermarks
 * (from their read models), so every partition has closed the windows that
 * end before it.
 */
export async function topicWatermarks(
  raw: RawStore,
): Promise<Partial<Record<ClickstreamTopic, number>>> {
  return watermarksOf(await readModels(raw, CLICKSTREAM_TOPICS));
}

/** The lowest watermark of each topic's partitions (see `topicWatermarks`). */
function watermarksOf(
  models: Map<string, PartitionReadModel[]>,
): Partial<Record<ClickstreamTopic, number>> {
  const out: Partial<Record<ClickstreamTopic, number>> = {};
  for (const topic of CLICKSTREAM_TOPICS) {
    for (const { model } of models.get(topic) ?? []) {
      if (typeof model.watermark !== "number") continue;
      out[topic] = Math.min(out[topic] ?? Infinity, model.watermark);
    }
  }
  return out;
}

/**
 * The end (exclusive, ms) of the rate line: a second is counted once the
 * watermark has passed it, so the line ends at the newest second the lowest
 * topic watermark has passed, a few seconds (the out-of-orderness) before
 * `now`, rather than show seconds not counted yet as 0. A topic whose
 * watermark is over a minute old (it gets no events) does not hold it back.
 */
export function seriesEnd(now: number, watermarks: readonly number[]): number {
  const live = watermarks.filter((w) => w >= now - 60_000);
  const passed = live.length > 0 ? Math.floor((Math.min(...live) + 1) / 1000) * 1000 : Infinity;
  return Math.min(Math.floor(now / 1000) * 1000, passed);
}

/** Reads of the rating counts and sums tried before the page shows what it has. */
const CONSISTENT_READ_TRIES = 5;

/**
 * Rating counts and sums per item as of one moment. They are two reads, and
 * a batch stored between them would show a sum without its counts (an
 * average above 5); a batch always changes the counts, so counts equal before
 * and after the sums were read mean the sums belong to them.
 */
async function ratingsConsistent(
  aggregates: AggregateStore,
): Promise<{ counts: AggregateTotal[]; sums: AggregateTotal[] }> {
  let counts = await aggregates.totals("ratings", "item");
  for (let attempt = 1;; attempt++) {
    const sums = await aggregates.totals("ratings", "rating_sum");
    const again = await aggregates.totals("ratings", "item");
    if (sameTotals(counts, again) || attempt === CONSISTENT_READ_TRIES) {
      return { counts: again, sums };
    }
    counts = again;
  }
}

function sameTotals(a: AggregateTotal[], b: AggregateTotal[]): boolean {
  return a.length === b.length && a.every((t, i) => t.key === b[i].key && t.value === b[i].value);
}

/**
 * Everything the clickstream page shows at `now`. The rate of a topic is the
 * count per second of its newest ten-second window that every partition has
 * closed (whole: partitions that had no event in it add nothing); a topic
 * whose newest such window ended over a minute before `now` counts as 0/s.
 * The rate line ends at the newest second every topic's watermark has passed
 * (see `seriesEnd`).
 */
export async function clicksSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
  now: number,
): Promise<ClicksSnapshot> {
  const models = await readModels(raw, [...CLICKSTREAM_TOPICS, SESSIONS_STREAM.name]);
  const watermarks = watermarksOf(models);
  const second = seriesEnd(now, Object.values(watermarks));
  const from = second - SERIES_SECONDS * 1000;
  const newestClosed = (t: ClickstreamTopic) => {
    const watermark = watermarks[t];
    if (watermark === undefined) return undefined;
    const start = Math.floor((watermark - RATE_WINDOW_MS) / RATE_SLIDE_MS) * RATE_SLIDE_MS;
    return start + RATE_WINDOW_MS >= now - 60_000 ? start : undefined;
  };
  const [counts, viewed, clicked, devices, ratingTotals, series, rateWindows, rejected] =
    await Promise.all([
      Promise.all(CLICKSTREAM_TOPICS.map((t) => aggregates.totals(t, "count"))),
      aggregates.totals("views", "item"),
      aggregates.totals("clicks", "item"),
      aggregates.totals("views", "device"),
      ratingsConsistent(aggregates),
      Promise.all(
        CLICKSTREAM_TOPICS.map((t) =>
          aggregates.series({ stream: t, dimension: SECOND_DIMENSION, from, to: second })
        ),
      ),
      Promise.all(CLICKSTREAM_TOPICS.map((t) => {
        const start = newestClosed(t);
        return start === undefined
          ? Promise.resolve([])
          : aggregates.series({ stream: t, dimension: RATE_DIMENSION, from: start, to: start + 1 });
      })),
      Promise.all(CLICKSTREAM_TOPICS.map((t) => rejections(aggregates, t))),
    ]);
  const index = perTopic((t) => CLICKSTREAM_TOPICS.indexOf(t));
  const totals = perTopic((t) => countOf(grandTotal(counts[index[t]]))) as PerTopic;
  const rates = perTopic((t) => {
    const count = countOf(grandTotal(rateWindows[index[t]]));
    return Math.round((count / (RATE_WINDOW_MS / 1000)) * 10) / 10;
  }) as PerTopic;
  const rateSeries: ClicksSnapshot["rateSeries"] = [];
  for (let t = from; t < second; t += 1000) {
    const at = (topic: ClickstreamTopic) =>
      countOf(series[index[topic]].find((p) => p.windowStart === t)?.value ?? 0n);
    rateSeries.push({ t, clicks: at("clicks"), views: at("views"), ratings: at("ratings") });
  }
  const ratingCounts = new Map(ratingTotals.counts.map((r) => [r.key, countOf(r.value)]));
  const ratings = top(ratingTotals.counts).map(({ key }) => {
    const count = ratingCounts.get(key) ?? 0;
    const sum = countOf(ratingTotals.sums.find((r) => r.key === key)?.value ?? 0n);
    return { item: Number(key), average: count ? Math.round((sum / count) * 100) / 100 : 0, count };
  });
  const device = (name: string) => countOf(devices.find((d) => d.key === name)?.value ?? 0n);
  return {
    rates,
    rateSeries,
    totals,
    topViewed: top(viewed).map((r) => ({
      item: Number(r.key),
      views: countOf(r.value),
    })),
    topClicked: top(clicked).map((r) => ({
      item: Number(r.key),
      clicks: countOf(r.value),
    })),
    ratings,
    devices: { mobile: device("mobile"), desktop: device("desktop"), tablet: device("tablet") },
    sessions: sessionFigures((models.get(SESSIONS_STREAM.name) ?? []).map((m) => m.model)),
    rejected: {
      clicks: rejected[index.clicks],
      views: rejected[index.views],
      ratings: rejected[index.ratings],
    },
  };
}

/**
 * The stored events of `topic` a view of the clickstream page shows, as a
 * query (at `now`, ms). Only views carry a device, so the device filter
 * narrows views; an item narrows every topic.
 */
export function clicksQuery(view: PageView, now: number, topic: ClickstreamTopic): DocumentQuery {
  const where: FieldCondition[] = [];
  const { item, device } = view.filters;
  if (item !== undefined) where.push({ field: "item_id", oneOf: [Number(item)] });
  if (device !== undefined && topic === "views") {
    where.push({ field: "device_type", oneOf: [String(device)] });
  }
  return { ...viewBounds(view, now), where };
}

/** `query` narrowed further to event times from `from` to `to` (ms). */
function within(query: DocumentQuery, from: number, to: number): DocumentQuery {
  return { ...query, from: Math.max(query.from ?? from, from), to: Math.min(query.to ?? to, to) };
}

/**
 * The clickstream page narrowed to a view: totals, rates, the rate line, top
 * items, ratings and devices count the matching stored events (the window
 * aggregates are per topic and item or device only). Sessions and rejected
 * counts stay the stream's: sessions span devices and items.
 */
export async function clicksViewSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
  options: { view: PageView; now: number },
): Promise<ClicksSnapshot> {
  const { view, now } = options;
  const whole = await clicksSnapshot(raw, aggregates, now);
  const query = perTopic((t) => clicksQuery(view, now, t));
  const seriesFrom = whole.rateSeries[0]?.t ?? now;
  const seriesTo = (whole.rateSeries.at(-1)?.t ?? now - 1000) + 1000;
  const perItem = async (topic: ClickstreamTopic) => {
    const counts = new Map<number, { count: number; sum: number }>();
    for await (const { doc } of raw.find(topic, query[topic])) {
      const item = Number(doc.item_id);
      const cell = counts.get(item) ?? { count: 0, sum: 0 };
      cell.count++;
      cell.sum += Number(doc.rating ?? 0);
      counts.set(item, cell);
    }
    return [...counts].sort(([ia, a], [ib, b]) => b.count - a.count || ia - ib).slice(0, TOP);
  };
  const perSecond = async (topic: ClickstreamTopic) => {
    const seconds = new Map<number, number>();
    for await (const { ts } of raw.find(topic, within(query[topic], seriesFrom, seriesTo))) {
      const t = Math.floor(ts / 1000) * 1000;
      seconds.set(t, (seconds.get(t) ?? 0) + 1);
    }
    return seconds;
  };
  const [counts, viewed, clicked, rated, seconds, devices] = await Promise.all([
    Promise.all(CLICKSTREAM_TOPICS.map((t) => raw.count(t, query[t]))),
    perItem("views"),
    perItem("clicks"),
    perItem("ratings"),
    Promise.all(CLICKSTREAM_TOPICS.map(perSecond)),
    Promise.all((["mobile", "desktop", "tablet"] as const).map((device) =>
      raw.count("views", {
        ...query.views,
        where: [...query.views.where ?? [], { field: "device_type", oneOf: [device] }],
      })
    )),
  ]);
  const index = perTopic((t) => CLICKSTREAM_TOPICS.indexOf(t));
  const rateSeries = whole.rateSeries.map(({ t }) => ({
    t,
    ...perTopic((topic) => seconds[index[topic]].get(t) ?? 0) as PerTopic,
  }));
  const lastWindow = rateSeries.slice(-RATE_WINDOW_MS / 1000);
  return {
    ...whole,
    rates: perTopic((topic) =>
      Math.round(lastWindow.reduce((n, s) => n + s[topic], 0) / (RATE_WINDOW_MS / 1000) * 10) / 10
    ) as PerTopic,
    rateSeries,
    totals: perTopic((t) => counts[index[t]]) as PerTopic,
    topViewed: viewed.map(([item, { count }]) => ({ item, views: count })),
    topClicked: clicked.map(([item, { count }]) => ({ item, clicks: count })),
    ratings: rated.map(([item, { count, sum }]) => ({
      item,
      average: count ? Math.round((sum / count) * 100) / 100 : 0,
      count,
    })),
    devices: { mobile: devices[0], desktop: devices[1], tablet: devices[2] },
  };
}
