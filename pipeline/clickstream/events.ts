/**
 * The clickstream's three record types, with exactly the reference system's
 * fields, and their validation. Pure: no clock, no I/O.
 */

import { InvalidFieldError, isObject, numberAt, textAt } from "../validation.ts";
import { parseEventTime } from "../windowing/event_time.ts";

/** Users of the reference generator are numbered 1-1000. */
export const USER_IDS = { min: 1, max: 1000 } as const;
/** Items of the reference generator are numbered 1-500. */
export const ITEM_IDS = { min: 1, max: 500 } as const;
/** Seconds a click or a view may last: at most a day. */
export const DURATION = { min: 0, max: 86_400 } as const;
/** Ratings are whole stars, 1-5. */
export const STARS = { integer: true, min: 1, max: 5 } as const;
/** Text limits of clickstream fields. */
export const CLICKSTREAM_TEXT = {
  pageUrl: { max: 2048 },
  reviewText: { max: 5000, allowEmpty: true, multiline: true },
  deviceType: { max: 64 },
  timestamp: { max: 64 },
} as const;
/** Device types a view may come from. */
export const DEVICE_TYPES = ["mobile", "desktop", "tablet"] as const;

/** A device type. */
export type DeviceType = typeof DEVICE_TYPES[number];

/** Fields every clickstream record has. */
export interface ClickstreamBase {
  user_id: number;
  item_id: number;
  /** ISO 8601 text as received. */
  timestamp: string;
}

/** A click on an item's page. */
export interface Click extends ClickstreamBase {
  event_type: "click";
  page_url: string;
  /** Seconds. */
  click_duration: number;
}

/** A view of an item. */
export interface View extends ClickstreamBase {
  event_type: "view";
  /** Seconds. */
  view_duration: number;
  device_type: DeviceType;
}

/** A rating of an item. */
export interface Rating extends ClickstreamBase {
  event_type: "rating";
  /** 1-5. */
  rating: number;
  review_text: string;
}

/** Any clickstream record. */
export type ClickstreamEvent = Click | View | Rating;

/** The clickstream topics, each holding one record type. */
export const CLICKSTREAM_TOPICS = ["clicks", "views", "ratings"] as const;

/** One of `CLICKSTREAM_TOPICS`. */
export type ClickstreamTopic = typeof CLICKSTREAM_TOPICS[number];

/** The `event_type` of each topic's records. */
export const EVENT_TYPE: Record<ClickstreamTopic, ClickstreamEvent["event_type"]> = {
  clicks: "click",
  views: "view",
  ratings: "rating",
};

/** A validated record and its event time (ms since the epoch). */
export interface Timed<E> {
  event: E;
  ts: number;
}

function base(value: unknown, type: string): ClickstreamBase & { ts: number } {
  if (!isObject(value)) {
    throw new InvalidFieldError({
      path: "(record)",
      expected: `a ${type} record as a JSON object`,
      got: value,
    });
  }
  const eventType = value.event_type;
  if (eventType !== type) {
    throw new InvalidFieldError({ path: "event_type", expected: `"${type}"`, got: eventType });
  }
  const timestamp = textAt(value, "timestamp", CLICKSTREAM_TEXT.timestamp);
  return {
    user_id: numberAt(value, "user_id", { integer: true, ...USER_IDS }),
    item_id: numberAt(value, "item_id", { integer: true, ...ITEM_IDS }),
    timestamp,
    ts: parseEventTime(timestamp, "timestamp"),
  };
}

/**
 * Validates a click record.
 * @throws {InvalidFieldError} naming the field for bad input
 */
export function validateClick(value: unknown): Timed<Click> {
  const { ts, ...common } = base(value, "click");
  return {
    ts,
    event: {
      event_type: "click",
      ...common,
      page_url: textAt(value, "page_url", CLICKSTREAM_TEXT.pageUrl),
      click_duration: numberAt(value, "click_duration", DURATION),
    },
  };
}

/**
 * Validates a view record.
 * @throws {InvalidFieldError} naming the field for bad input
 */
export function validateView(value: unknown): Timed<View> {
  const { ts, ...common } = base(value, "view");
  const device = textAt(value, "device_type", CLICKSTREAM_TEXT.deviceType);
  if (!(DEVICE_TYPES as readonly string[]).includes(device)) {
    throw new InvalidFieldError({
      path: "device_type",
      expected: "mobile, desktop or tablet",
      got: device,
    });
  }
  return {
    ts,
    event: {
      event_type: "view",
      ...common,
      view_duration: numberAt(value, "view_duration", DURATION),
      device_type: device as DeviceType,
    },
  };
}

/**
 * Validates a rating record.
 * @throws {InvalidFieldError} naming the field for bad input
 */
export function validateRating(value: unknown): Timed<Rating> {
  const { ts, ...common } = base(value, "rating");
  return {
    ts,
    event: {
      event_type: "rating",
      ...common,
      rating: numberAt(value, "rating", STARS),
      review_text: textAt(value, "review_text", CLICKSTREAM_TEXT.reviewText),
    },
  };
}

/** The validator of each topic. */
export const VALIDATE: { [T in ClickstreamTopic]: (value: unknown) => Timed<ClickstreamEvent> } = {
  clicks: validateClick,
  views: validateView,
  ratings: validateRating,
};
