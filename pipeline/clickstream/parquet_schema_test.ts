import assert from "node:assert/strict";
import { CLICKSTREAM_TOPICS, VALIDATE, validateClick, validateRating } from "./events.ts";
import { ARCHIVE_SCHEMA, toArchiveRow } from "./parquet_schema.ts";

Deno.test("archive schema: each topic names every field of its row once, common columns first", () => {
  const first = ["event_type", "user_id", "item_id", "timestamp"];
  const last = ["source_partition", "source_offset"];
  const own = {
    clicks: ["page_url", "click_duration"],
    views: ["view_duration", "device_type"],
    ratings: ["rating", "review_text"],
  };
  for (const topic of CLICKSTREAM_TOPICS) {
    const names = ARCHIVE_SCHEMA[topic].map((c) => c.name);
    assert.deepEqual(names, [...first, ...own[topic], ...last], topic);
  }
  const types = Object.fromEntries(ARCHIVE_SCHEMA.ratings.map((c) => [c.name, c.type]));
  assert.deepEqual(types, {
    event_type: "string",
    user_id: "int32",
    item_id: "int32",
    timestamp: "timestamp_millis_utc",
    rating: "int32",
    review_text: "string",
    source_partition: "int32",
    source_offset: "int64",
  });
  assert.equal(ARCHIVE_SCHEMA.clicks.find((c) => c.name === "click_duration")?.type, "double");
  assert.equal(ARCHIVE_SCHEMA.views.find((c) => c.name === "view_duration")?.type, "double");
});

Deno.test("toArchiveRow: event time as a UTC Date, source position as int and bigint", () => {
  const click = validateClick({
    event_type: "click",
    user_id: 7,
    item_id: 9,
    timestamp: "2025-02-16T09:29:49.250+02:00",
    page_url: "/items/9",
    click_duration: 2.5,
  });
  assert.deepEqual(toArchiveRow(click, { partition: 3, offset: 2 ** 40 }), {
    event_type: "click",
    user_id: 7,
    item_id: 9,
    timestamp: new Date("2025-02-16T07:29:49.250Z"),
    page_url: "/items/9",
    click_duration: 2.5,
    source_partition: 3,
    source_offset: 2n ** 40n,
  });
});

Deno.test("toArchiveRow: a row has exactly the schema's columns for every topic", () => {
  const raw = {
    clicks: { event_type: "click", page_url: "/", click_duration: 0 },
    views: { event_type: "view", view_duration: 1, device_type: "tablet" },
    ratings: { event_type: "rating", rating: 5, review_text: "" },
  };
  for (const topic of CLICKSTREAM_TOPICS) {
    const record = VALIDATE[topic]({
      ...raw[topic],
      user_id: 1,
      item_id: 1,
      timestamp: "2025-02-16 07:29:49",
    });
    const row = toArchiveRow(record, { partition: 0, offset: 0 });
    assert.deepEqual(Object.keys(row).sort(), ARCHIVE_SCHEMA[topic].map((c) => c.name).sort());
  }
  const rating = toArchiveRow(
    validateRating({
      event_type: "rating",
      user_id: 1,
      item_id: 1,
      timestamp: "2025-02-16 07:29:49",
      rating: 4,
      review_text: "ok",
    }),
    { partition: 1, offset: 5 },
  );
  assert.equal(rating.timestamp.toISOString(), "2025-02-16T07:29:49.000Z");
});
