/** The clickstream page's reads: rates, totals, top items, ratings and devices per topic. */

import type { AggregateStore, AggregateTotal } from "../pipeline/ports.ts";
import { RATE_DIMENSION, RATE_WINDOW_MS } from "../pipeline/clickstream/clickstream_stream.ts";
import { CLICKSTREAM_TOPICS, type ClickstreamTopic } from "../pipeline/clickstream/events.ts";
import type { ClicksSnapshot, PerTopic } from "./dashboards.ts";
import { rejections } from "./sales_data.ts";

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
  return [...rows].sort((a, b) => b.value - a.value || Number(a.key) - Number(b.key))
    .slice(0, TOP);
}

/**
 * Everything the clickstream page shows at `now`. The rate of a topic is
 * its newest closed ten-second window's count per second; a topic whose
 * newest closed window ended over a minute ago counts as 0/s.
 */
export async function clicksSnapshot(
  aggregates: AggregateStore,
  now: number,
): Promise<ClicksSnapshot> {
  const second = Math.floor(now / 1000) * 1000;
  const from = second - SERIES_SECONDS * 1000;
  const [counts, items, devices, ratingSums, series, rateWindows, rejected] = await Promise.all([
    Promise.all(CLICKSTREAM_TOPICS.map((t) => aggregates.totals(t, "count"))),
    Promise.all(CLICKSTREAM_TOPICS.map((t) => aggregates.totals(t, "item"))),
    aggregates.totals("views", "device"),
    aggregates.totals("ratings", "rating_sum"),
    Promise.all(CLICKSTREAM_TOPICS.map((t) => aggregates.series(t, "events", from, second))),
    Promise.all(
      CLICKSTREAM_TOPICS.map((t) =>
        aggregates.series(t, RATE_DIMENSION, now - 60_000 - RATE_WINDOW_MS, now)
      ),
    ),
    Promise.all(CLICKSTREAM_TOPICS.map((t) => rejections(aggregates, t))),
  ]);
  const index = perTopic((t) => CLICKSTREAM_TOPICS.indexOf(t));
  const totals = perTopic((t) => counts[index[t]].reduce((sum, r) => sum + r.value, 0)) as PerTopic;
  const rates = perTopic((t) => {
    const newest = rateWindows[index[t]].reduce(
      (best, p) => (best === undefined || p.windowStart > best.windowStart ? p : best),
      undefined as { windowStart: number; value: number } | undefined,
    );
    return newest ? Math.round((newest.value / (RATE_WINDOW_MS / 1000)) * 10) / 10 : 0;
  }) as PerTopic;
  const rateSeries: ClicksSnapshot["rateSeries"] = [];
  for (let t = from; t < second; t += 1000) {
    const at = (topic: ClickstreamTopic) =>
      series[index[topic]].find((p) => p.windowStart === t)?.value ?? 0;
    rateSeries.push({ t, clicks: at("clicks"), views: at("views"), ratings: at("ratings") });
  }
  const ratingCounts = new Map(items[index.ratings].map((r) => [r.key, r.value]));
  const ratings = top(items[index.ratings]).map(({ key }) => {
    const count = ratingCounts.get(key) ?? 0;
    const sum = ratingSums.find((r) => r.key === key)?.value ?? 0;
    return { item: Number(key), average: count ? Math.round((sum / count) * 100) / 100 : 0, count };
  });
  const device = (name: string) => devices.find((d) => d.key === name)?.value ?? 0;
  return {
    rates,
    rateSeries,
    totals,
    topViewed: top(items[index.views]).map((r) => ({ item: Number(r.key), views: r.value })),
    topClicked: top(items[index.clicks]).map((r) => ({ item: Number(r.key), clicks: r.value })),
    ratings,
    devices: { mobile: device("mobile"), desktop: device("desktop"), tablet: device("tablet") },
    rejected: {
      clicks: rejected[index.clicks],
      views: rejected[index.views],
      ratings: rejected[index.ratings],
    },
  };
}
