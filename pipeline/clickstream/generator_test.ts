import assert from "node:assert/strict";
import {
  clickstreamKey,
  GENERATE,
  generateClick,
  generateRating,
  generateView,
} from "./generator.ts";
import {
  CLICKSTREAM_TOPICS,
  type ClickstreamTopic,
  DEVICE_TYPES,
  EVENT_TYPE,
  VALIDATE,
} from "./events.ts";
import { seededRandom } from "../random.ts";

const NOW = Date.UTC(2025, 1, 16, 7, 29, 49, 250);

/** Exactly the reference system's fields of each record type, sorted. */
const FIELDS: Record<ClickstreamTopic, string[]> = {
  clicks: ["click_duration", "event_type", "item_id", "page_url", "timestamp", "user_id"],
  views: ["device_type", "event_type", "item_id", "timestamp", "user_id", "view_duration"],
  ratings: ["event_type", "item_id", "rating", "review_text", "timestamp", "user_id"],
};

function generated(topic: ClickstreamTopic, seed: number, count: number) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => GENERATE[topic](random, NOW));
}

const MANY = Object.fromEntries(
  CLICKSTREAM_TOPICS.map((t) => [t, generated(t, 2025, 5000)]),
) as Record<ClickstreamTopic, ReturnType<typeof generated>>;

Deno.test("each record type has exactly the reference system's fields", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    for (const record of MANY[topic]) {
      assert.deepEqual(Object.keys(record).sort(), FIELDS[topic], topic);
      assert.equal(record.event_type, EVENT_TYPE[topic]);
    }
  }
});

Deno.test("generated records validate on their topic and carry the current time", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    for (const record of MANY[topic]) {
      const { event, ts } = VALIDATE[topic](JSON.parse(JSON.stringify(record)));
      assert.deepEqual(event, record);
      assert.equal(ts, NOW);
    }
    assert.equal(MANY[topic][0].timestamp, "2025-02-16T07:29:49.250Z");
  }
});

Deno.test("users are 1-1000 and items 1-500, both ends reached", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    const users = MANY[topic].map((r) => r.user_id);
    const items = MANY[topic].map((r) => r.item_id);
    for (const id of [...users, ...items]) assert.ok(Number.isInteger(id), `${id} is an integer`);
    assert.equal(Math.min(...users), 1, `${topic}: lowest user`);
    assert.equal(Math.max(...users), 1000, `${topic}: highest user`);
    assert.equal(Math.min(...items), 1, `${topic}: lowest item`);
    assert.ok(Math.max(...items) <= 500, `${topic}: items stop at 500`);
    assert.ok(Math.max(...items) > 400, `${topic}: items reach far into the range`);
  }
});

Deno.test("low item ids are the popular ones", () => {
  const items = MANY.views.map((r) => r.item_id);
  const low = items.filter((i) => i <= 50).length;
  const high = items.filter((i) => i > 450).length;
  assert.ok(low > 5 * high, `items 1-50 got ${low} views, items 451-500 got ${high}`);
});

Deno.test("ratings are whole stars from 1 to 5, with some empty reviews", () => {
  const ratings = MANY.ratings.map((r) => (r as ReturnType<typeof generateRating>).rating);
  for (const rating of ratings) {
    assert.ok(Number.isInteger(rating) && rating >= 1 && rating <= 5, `rating ${rating}`);
  }
  assert.ok(new Set(ratings).size >= 3, "ratings vary");
  const reviews = MANY.ratings.map((r) => (r as ReturnType<typeof generateRating>).review_text);
  assert.ok(reviews.includes(""), "a rating may come without a review");
  assert.ok(reviews.some((t) => t.length > 0));
});

Deno.test("views come from mobile, desktop and tablet, with durations of at least 0", () => {
  const views = MANY.views as ReturnType<typeof generateView>[];
  assert.deepEqual(
    [...new Set(views.map((v) => v.device_type))].sort(),
    [...DEVICE_TYPES].sort(),
  );
  for (const v of views) assert.ok(v.view_duration >= 0 && v.view_duration <= 300);
});

Deno.test("a click's page is its item's page", () => {
  for (const click of MANY.clicks as ReturnType<typeof generateClick>[]) {
    assert.equal(click.page_url, `/items/${click.item_id}`);
    assert.ok(click.click_duration >= 0 && click.click_duration <= 30);
  }
});

Deno.test("the same seed gives the same records, another seed other records", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    assert.deepEqual(generated(topic, 9, 100), generated(topic, 9, 100));
    assert.notDeepEqual(generated(topic, 9, 100), generated(topic, 10, 100));
  }
});

Deno.test("records are keyed by user, so a user's events keep their order", () => {
  const random = seededRandom(1);
  const click = GENERATE.clicks(random, NOW);
  assert.equal(clickstreamKey(click), String(click.user_id));
  assert.equal(clickstreamKey({ user_id: "u-7" }), "u-7");
  assert.equal(clickstreamKey({ item_id: 3 }), null);
  assert.equal(clickstreamKey(null), null);
});
