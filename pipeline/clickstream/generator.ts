/**
 * Seeded generators of the clickstream's records, as the reference system's
 * generator made them: users 1-1000, items 1-500 (a few items far more
 * popular than the rest), ISO timestamps of the current time.
 */

import type { Random } from "../random.ts";
import {
  type Click,
  type ClickstreamEvent,
  type ClickstreamTopic,
  DEVICE_TYPES,
  ITEM_IDS,
  type Rating,
  USER_IDS,
  type View,
} from "./events.ts";

const REVIEWS = [
  "Great product, would buy again.",
  "Works as described.",
  "Not worth the price.",
  "Arrived late, but fine otherwise.",
  "Excellent quality!",
  "Broke after a week.",
  "Decent, nothing special.",
  "",
];

/** An item id, skewed so that low ids are the popular ones. */
function item(random: Random): number {
  return ITEM_IDS.min + Math.floor((ITEM_IDS.max - ITEM_IDS.min + 1) * random.next() ** 3);
}

function common(random: Random, now: number) {
  return {
    user_id: random.int(USER_IDS.min, USER_IDS.max),
    item_id: item(random),
    timestamp: new Date(now).toISOString(),
  };
}

/** A click record. */
export function generateClick(random: Random, now: number): Click {
  const c = common(random, now);
  return {
    event_type: "click",
    ...c,
    page_url: `/items/${c.item_id}`,
    click_duration: Math.round(random.next() * 3000) / 100,
  };
}

/** A view record. */
export function generateView(random: Random, now: number): View {
  return {
    event_type: "view",
    ...common(random, now),
    view_duration: Math.round(random.next() * 30_000) / 100,
    device_type: random.pick(DEVICE_TYPES),
  };
}

/** A rating record; ratings lean positive, as they do. */
export function generateRating(random: Random, now: number): Rating {
  const c = common(random, now);
  const rating = Math.min(5, Math.max(1, Math.round(2 + (c.item_id % 3) + random.next() * 2)));
  return { event_type: "rating", ...c, rating, review_text: random.pick(REVIEWS) };
}

/** The generator of each clickstream topic. */
export const GENERATE: {
  [T in ClickstreamTopic]: (random: Random, now: number) => ClickstreamEvent;
} = { clicks: generateClick, views: generateView, ratings: generateRating };

/** The partitioning key of a clickstream record: its user, so a user's events keep their order. */
export function clickstreamKey(value: unknown): string | null {
  const user = (value as { user_id?: unknown } | null)?.user_id;
  return typeof user === "number" || typeof user === "string" ? String(user) : null;
}
