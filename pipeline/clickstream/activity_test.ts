import assert from "node:assert/strict";
import type { Broker, BrokerRecord, OutgoingRecord } from "../ports.ts";
import { isRecordError } from "../record_error.ts";
import { activitySink, validateActivity } from "./activity.ts";
import { validateClick, validateRating, validateView } from "./events.ts";

const TS = "2025-02-16T07:29:10.000Z";

function source(topic: string, offset: number): BrokerRecord {
  return {
    topic,
    partition: 2,
    offset,
    key: null,
    value: new Uint8Array(),
    headers: {},
    timestamp: 0,
  };
}

Deno.test("the activity sink forwards clicks and views keyed by user, ids from their source position", async () => {
  const sent: Array<[string, OutgoingRecord[]]> = [];
  const broker = {
    produce: (topic: string, records: OutgoingRecord[]) => {
      sent.push([topic, records]);
      return Promise.resolve();
    },
  } as unknown as Broker;
  const common = { user_id: 7, item_id: 3, timestamp: TS };
  const view = validateView({
    ...common,
    event_type: "view",
    view_duration: 1,
    device_type: "tablet",
  });
  const click = validateClick({
    ...common,
    event_type: "click",
    page_url: "/x",
    click_duration: 1,
  });
  const rating = validateRating({ ...common, event_type: "rating", rating: 4, review_text: "" });
  const sink = activitySink(broker, "clickstream.activity");
  const batch = [
    { record: source("views", 40), event: view },
    { record: source("ratings", 41), event: rating },
    { record: source("clicks", 42), event: click },
  ];
  await sink.write(batch);
  await sink.write(batch); // a replay forwards the same records under the same ids
  assert.equal(sent.length, 2);
  const decoded = sent[0][1].map((r) => JSON.parse(new TextDecoder().decode(r.value)));
  assert.deepEqual(decoded, [
    { id: "views/2/40", user_id: 7, timestamp: TS, kind: "view", device_type: "tablet" },
    { id: "clicks/2/42", user_id: 7, timestamp: TS, kind: "click" },
  ], "ratings make no session");
  assert.deepEqual(sent[0][1].map((r) => [r.key, r.timestamp]), [
    ["7", Date.parse(TS)],
    ["7", Date.parse(TS)],
  ]);
  assert.deepEqual(sent[1], sent[0]);
  assert.deepEqual(validateActivity(decoded[0]), { activity: decoded[0], ts: Date.parse(TS) });
});

Deno.test("an activity record with a bad field is refused naming the field", () => {
  const good = { id: "clicks/0/1", user_id: 1, timestamp: TS, kind: "click" };
  const cases: Array<[unknown, string]> = [
    [{ ...good, kind: "rating" }, "kind"],
    [{ ...good, user_id: 0 }, "user_id"],
    [{ ...good, timestamp: "yesterday" }, "timestamp"],
    [{ ...good, id: 42 }, "id"],
    [{ ...good, kind: "view" }, "device_type"],
    [{ ...good, kind: "view", device_type: "watch" }, "device_type"],
    [{ ...good, device_type: "mobile" }, "device_type"],
    [[good], "(record)"],
  ];
  for (const [value, field] of cases) {
    assert.throws(
      () => validateActivity(value),
      (e: unknown) => isRecordError(e) && e.code === "invalid" && e.field === field,
      JSON.stringify(value),
    );
  }
});
