import { RecordError } from "../record_error.ts";
import assert from "node:assert/strict";
import {
  CLICKSTREAM_TOPICS,
  EVENT_TYPE,
  VALIDATE,
  validateClick,
  validateRating,
  validateView,
} from "./events.ts";
import type { ClickstreamTopic } from "./events.ts";
import { InvalidFieldError } from "../validation.ts";
import { GENERATE } from "./generator.ts";
import { seededRandom } from "../random.ts";
import { assertPlainData, assertValidatorHoldsUnderFire } from "../testing/hostile_json.ts";

const CLICK = {
  event_type: "click",
  user_id: 1,
  item_id: 500,
  timestamp: "2025-02-16T07:29:49.123Z",
  page_url: "/items/500",
  click_duration: 12.5,
};
const VIEW = {
  event_type: "view",
  user_id: 1000,
  item_id: 1,
  timestamp: "2025-02-16 07:29:49",
  view_duration: 0,
  device_type: "tablet",
};
const RATING = {
  event_type: "rating",
  user_id: 42,
  item_id: 7,
  timestamp: "2025-02-16T09:29:49+02:00",
  rating: 5,
  review_text: "",
};

const GOOD: Record<ClickstreamTopic, Record<string, unknown>> = {
  clicks: CLICK,
  views: VIEW,
  ratings: RATING,
};

const TS = Date.UTC(2025, 1, 16, 7, 29, 49);

/** Why a record is refused: the field named, and what the message says. */
interface Refusal {
  /** The field the error names; null when the error is about the record as a whole. */
  field: string | null;
  /** What the message must match. */
  message: RegExp;
}

/** Asserts that `topic` refuses `value` with a `RecordError` naming `field`. */
function rejects(topic: ClickstreamTopic, value: unknown, { field, message }: Refusal) {
  let accepted: unknown;
  try {
    accepted = VALIDATE[topic](value);
  } catch (error) {
    assert.ok(error instanceof RecordError, "bad records are refused with a RecordError");
    if (field !== null) {
      assert.ok(error instanceof InvalidFieldError);
      assert.equal(error.path, field);
    }
    assert.match(error.message, message);
    return;
  }
  const { ts } = accepted as { ts: number };
  assert.fail(
    `${topic} accepted ${JSON.stringify(value)} with event time ${new Date(ts).toISOString()}`,
  );
}

Deno.test("a click validates to exactly its fields and its event time", () => {
  assert.deepEqual(validateClick(CLICK), { ts: TS + 123, event: CLICK });
});

Deno.test("a view validates with a zone-less timestamp read as UTC", () => {
  assert.deepEqual(validateView(VIEW), { ts: TS, event: VIEW });
});

Deno.test("a rating validates with a timestamp at an offset, the text kept as received", () => {
  const { ts, event } = validateRating(RATING);
  assert.equal(ts, TS);
  assert.deepEqual(event, RATING, "the timestamp text is kept as received");
});

Deno.test("fields the record type does not have are left out of the validated event", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    const { event } = VALIDATE[topic]({ ...GOOD[topic], session: "abc", admin: true });
    assert.deepEqual(Object.keys(event).sort(), Object.keys(GOOD[topic]).sort(), topic);
  }
});

Deno.test("each topic takes only its own event type", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    assert.equal(VALIDATE[topic](GOOD[topic]).event.event_type, EVENT_TYPE[topic]);
  }
  rejects("clicks", VIEW, {
    field: "event_type",
    message: /`event_type` must be "click", got "view"/,
  });
  rejects("views", { ...VIEW, event_type: "click" }, {
    field: "event_type",
    message: /must be "view", got "click"/,
  });
  rejects("ratings", CLICK, {
    field: "event_type",
    message: /`event_type` must be "rating", got "click"/,
  });
  rejects("ratings", { ...RATING, event_type: undefined }, {
    field: "event_type",
    message: /got nothing/,
  });
});

Deno.test("a rating outside 1-5 is refused", () => {
  rejects(
    "ratings",
    { ...RATING, rating: 9 },
    { field: "rating", message: /`rating` must be an integer from 1 to 5, got 9/ },
  );
  rejects("ratings", { ...RATING, rating: 0 }, { field: "rating", message: /got 0/ });
  rejects("ratings", { ...RATING, rating: 4.5 }, { field: "rating", message: /got 4\.5/ });
  rejects("ratings", { ...RATING, rating: "5" }, { field: "rating", message: /got "5"/ });
});

Deno.test("a device other than mobile, desktop or tablet is refused", () => {
  rejects(
    "views",
    { ...VIEW, device_type: "tv" },
    { field: "device_type", message: /`device_type` must be mobile, desktop or tablet, got "tv"/ },
  );
  rejects("views", { ...VIEW, device_type: undefined }, {
    field: "device_type",
    message: /got nothing/,
  });
});

Deno.test("users are 1-1000 and items 1-500", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    rejects(
      topic,
      { ...GOOD[topic], user_id: 0 },
      { field: "user_id", message: /`user_id` must be an integer from 1 to 1000, got 0/ },
    );
    rejects(topic, { ...GOOD[topic], user_id: 1001 }, { field: "user_id", message: /got 1001/ });
    rejects(topic, { ...GOOD[topic], user_id: "7" }, { field: "user_id", message: /got "7"/ });
    rejects(
      topic,
      { ...GOOD[topic], item_id: 0 },
      { field: "item_id", message: /`item_id` must be an integer from 1 to 500, got 0/ },
    );
    rejects(topic, { ...GOOD[topic], item_id: 501 }, { field: "item_id", message: /got 501/ });
  }
});

Deno.test("a timestamp that is not a date and time is refused", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    rejects(
      topic,
      { ...GOOD[topic], timestamp: "yesterday" },
      { field: "timestamp", message: /`timestamp` must be a timestamp .*, got "yesterday"/ },
    );
    rejects(topic, { ...GOOD[topic], timestamp: 1739690989000 }, {
      field: "timestamp",
      message: /got 1739690989000/,
    });
  }
});

Deno.test("an impossible calendar date is refused in every timestamp form, not rolled over", () => {
  // Zone-less text is checked; ISO 8601 with a zone must be too: 2025 has no February 29th,
  // and taking it as March 1st would put the event in the wrong day, month and window.
  rejects("clicks", { ...CLICK, timestamp: "2025-02-29 10:00:00" }, {
    field: "timestamp",
    message: /2025-02-29/,
  });
  rejects("clicks", { ...CLICK, timestamp: "2025-02-29T10:00:00Z" }, {
    field: "timestamp",
    message: /2025-02-29/,
  });
  rejects("views", { ...VIEW, timestamp: "2025-04-31T10:00:00+02:00" }, {
    field: "timestamp",
    message: /2025-04-31/,
  });
  rejects("ratings", { ...RATING, timestamp: "2025-02-16T24:00:00Z" }, {
    field: "timestamp",
    message: /T24/,
  });
});

Deno.test("durations are numbers from 0 seconds to a day", () => {
  rejects(
    "clicks",
    { ...CLICK, click_duration: -1 },
    {
      field: "click_duration",
      message: /`click_duration` must be a number from 0 to 86400, got -1/,
    },
  );
  rejects("clicks", { ...CLICK, click_duration: 86_400.5 }, {
    field: "click_duration",
    message: /got 86400.5/,
  });
  rejects("views", { ...VIEW, view_duration: 1e300 }, {
    field: "view_duration",
    message: /from 0 to 86400/,
  });
  rejects("views", { ...VIEW, view_duration: "long" }, {
    field: "view_duration",
    message: /got "long"/,
  });
  assert.equal(validateView({ ...VIEW, view_duration: 86_400 }).event.view_duration, 86_400);
});

Deno.test("page urls and reviews are bounded text without control characters", () => {
  rejects("clicks", { ...CLICK, page_url: "" }, {
    field: "page_url",
    message: /`page_url` must be a non-empty string/,
  });
  rejects(
    "clicks",
    { ...CLICK, page_url: "/" + "a".repeat(2048) },
    {
      field: "page_url",
      message:
        /`page_url` must be a non-empty string of at most 2048 characters, got 2049 characters/,
    },
  );
  rejects("clicks", { ...CLICK, page_url: "/items/1\u0000" }, {
    field: "page_url",
    message: /U\+0000/,
  });
  rejects(
    "ratings",
    { ...RATING, review_text: "x".repeat(5001) },
    { field: "review_text", message: /at most 5000 characters, got 5001 characters/ },
  );
  rejects(
    "ratings",
    { ...RATING, review_text: "Good.\u001b[2JWould buy again." },
    {
      field: "review_text",
      message:
        /`review_text` must be a string without control characters other than tab and line breaks, got U\+001B at character 6/,
    },
  );
  const lines = "Good.\r\nWould buy again.\tFive stars.";
  assert.equal(validateRating({ ...RATING, review_text: lines }).event.review_text, lines);
  rejects("ratings", { ...RATING, review_text: "\u009b31m" }, {
    field: "review_text",
    message: /U\+009B/,
  });
  const kept = "  Très bien 👍  ";
  assert.equal(validateRating({ ...RATING, review_text: kept }).event.review_text, kept);
});

Deno.test("a record that is not a JSON object is refused", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    for (const value of [null, [GOOD[topic]], "click", 3]) {
      rejects(topic, value, {
        field: null,
        message: new RegExp(
          `\`\\(record\\)\` must be a ${EVENT_TYPE[topic]} record as a JSON object`,
        ),
      });
    }
  }
});

Deno.test("hostile variants of each record type validate within bounds or are refused naming a field", () => {
  for (const topic of CLICKSTREAM_TOPICS) {
    const random = seededRandom(4);
    const generated = Array.from({ length: 20 }, () => GENERATE[topic](random, TS));
    const { accepted, refused } = assertValidatorHoldsUnderFire({
      valid: [GOOD[topic], ...generated],
      validate: VALIDATE[topic],
      seed: 20250216,
      count: 1500,
      accepted: ({ event, ts }) => {
        assertPlainData(event, { maxText: 5000, multiline: ["review_text"] });
        assert.ok(Number.isFinite(ts));
        const e = event as unknown as Record<string, unknown>;
        for (const duration of [e.click_duration, e.view_duration]) {
          assert.ok(duration === undefined || (duration as number) <= 86_400);
        }
      },
    });
    assert.ok(accepted > 50 && refused > 500, `${topic}: ${accepted} accepted, ${refused} refused`);
  }
});
