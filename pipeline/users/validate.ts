/**
 * Validation of RandomUser records and derivation of the fields the dashboard
 * needs. Pure: the event time comes in as a parameter, never from a clock.
 */

import type { GenderBucket, RandomUserRecord, User, UserSummary } from "./randomuser.ts";
import {
  at,
  checkNumber,
  checkShape,
  checkText,
  InvalidFieldError,
  isObject,
  isoDateAt,
  numberAt,
  type NumberBounds,
  optionalTextAt,
  textAt,
  type TextLimits,
} from "../validation.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Age bands of the dashboard, lowest first; each is `[label, lowest age]`. */
export const AGE_BANDS: ReadonlyArray<readonly [string, number]> = [
  ["<18", 0],
  ["18-24", 18],
  ["25-34", 25],
  ["35-44", 35],
  ["45-54", 45],
  ["55-64", 55],
  ["65+", 65],
];

/** The band label of an age, for example `ageBand(30)` is `"25-34"`. */
export function ageBand(age: number): string {
  let label = AGE_BANDS[0][0];
  for (const [band, lowest] of AGE_BANDS) if (age >= lowest) label = band;
  return label;
}

/** Whole years between a birth date and a moment (both ms since the epoch, UTC). */
export function yearsBetween(birth: number, moment: number): number {
  const b = new Date(birth);
  const m = new Date(moment);
  let years = m.getUTCFullYear() - b.getUTCFullYear();
  const beforeBirthday = m.getUTCMonth() < b.getUTCMonth() ||
    (m.getUTCMonth() === b.getUTCMonth() && m.getUTCDate() < b.getUTCDate());
  if (beforeBirthday) years -= 1;
  return years;
}

/** Maps the API's gender to a dashboard counter: anything but male/female counts as other. */
export function genderBucket(gender: string): GenderBucket {
  const g = gender.trim().toLowerCase();
  return g === "male" || g === "female" ? g : "other";
}

const NAME: TextLimits = { max: 200 };
const OPTIONAL_NAME: TextLimits = { max: 200, allowEmpty: true };
const SHORT: TextLimits = { max: 64, allowEmpty: true };
const URL_TEXT: TextLimits = { max: 2048, allowEmpty: true };

/** What a RandomUser record may hold, field by field (see the records notes in the README). */
export const USER_LIMITS = {
  /** The record is kept as received, so its whole shape is bounded too. */
  shape: { maxDepth: 8, maxValues: 1000 },
  /** Long enough for any text to be judged as a UUID, which is 36 characters. */
  uuid: { max: 64 },
  gender: { max: 64 },
  email: { max: 254 },
  age: { integer: true, min: 0, max: 150 },
} as const;

/** Text fields the record keeps (and the CSV export shows) but nothing derives from: checked when present. */
const OPTIONAL_TEXT: ReadonlyArray<readonly [string, TextLimits]> = [
  ["name.title", OPTIONAL_NAME],
  ["location.street.name", OPTIONAL_NAME],
  ["location.state", OPTIONAL_NAME],
  ["location.timezone.offset", SHORT],
  ["location.timezone.description", OPTIONAL_NAME],
  ["login.username", OPTIONAL_NAME],
  ["login.password", OPTIONAL_NAME],
  ["login.salt", OPTIONAL_NAME],
  ["login.md5", OPTIONAL_NAME],
  ["login.sha1", OPTIONAL_NAME],
  ["login.sha256", OPTIONAL_NAME],
  ["phone", SHORT],
  ["cell", SHORT],
  ["id.name", OPTIONAL_NAME],
  ["id.value", OPTIONAL_NAME],
];

/** A present picture URL must be http(s). */
const PICTURES = ["picture.large", "picture.medium", "picture.thumbnail"] as const;

/** A field the real API sends as a number or as text: a number within `number`, or text within `text`. */
interface NumberOrText {
  number: NumberBounds;
  text: TextLimits;
}

/** Optional fields that come as a number or as text, checked when present. */
const NUMBER_OR_TEXT: ReadonlyArray<readonly [string, NumberOrText]> = [
  ["location.postcode", {
    number: { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER },
    text: { max: 32, allowEmpty: true },
  }],
  ["location.street.number", {
    number: { integer: true, min: 0, max: 1_000_000_000 },
    text: SHORT,
  }],
  ["location.coordinates.latitude", { number: { min: -90, max: 90 }, text: SHORT }],
  ["location.coordinates.longitude", { number: { min: -180, max: 180 }, text: SHORT }],
];

function numberOrText(root: unknown, path: string, spec: NumberOrText): void {
  const value = at(root, path);
  if (value === undefined || value === null) return;
  if (typeof value === "number") checkNumber(value, path, spec.number);
  else if (typeof value === "string") checkText(value, path, spec.text);
  else throw new InvalidFieldError({ path, expected: "a string or a number", got: value });
}

/**
 * Validates a RandomUser record and derives full name, age and country.
 *
 * Accepts what the real API returns: `postcode` as number or string,
 * non-Latin names, `id.value` null, coordinates as strings. Every text
 * field it knows is within `USER_LIMITS` and free of control characters;
 * the record is kept exactly as received. The uuid is returned in lower case:
 * the same uuid in another case is the same user.
 *
 * @param value the parsed JSON of one `results[]` item
 * @param eventTime ms since the epoch at which the age is computed
 * @throws {InvalidFieldError} naming the first field that is wrong
 */
export function validateUser(value: unknown, eventTime: number): User {
  if (!isObject(value)) {
    throw new InvalidFieldError({ path: "(record)", expected: "a JSON object", got: value });
  }
  checkShape(value, "(record)", USER_LIMITS.shape);
  const uuid = textAt(value, "login.uuid", USER_LIMITS.uuid);
  if (!UUID.test(uuid)) {
    throw new InvalidFieldError({ path: "login.uuid", expected: "a UUID", got: uuid });
  }
  const gender = textAt(value, "gender", USER_LIMITS.gender);
  const first = textAt(value, "name.first", NAME);
  const last = textAt(value, "name.last", NAME);
  const email = textAt(value, "email", USER_LIMITS.email);
  const country = textAt(value, "location.country", NAME);
  const city = optionalTextAt(value, "location.city", OPTIONAL_NAME) ?? "";
  for (const [path, limits] of OPTIONAL_TEXT) optionalTextAt(value, path, limits);
  for (const [path, spec] of NUMBER_OR_TEXT) numberOrText(value, path, spec);
  const birth = isoDateAt(value, "dob.date");
  if (at(value, "dob.age") !== undefined) numberAt(value, "dob.age", USER_LIMITS.age);
  const age = yearsBetween(birth, eventTime);
  if (age < 0 || age > 150) {
    throw new InvalidFieldError({
      path: "dob.date",
      expected: "a birth date 0 to 150 years before the event",
      got: at(value, "dob.date"),
    });
  }
  if (at(value, "registered.date") !== undefined) isoDateAt(value, "registered.date");
  if (at(value, "registered.age") !== undefined) {
    numberAt(value, "registered.age", USER_LIMITS.age);
  }
  for (const path of PICTURES) {
    const url = optionalTextAt(value, path, URL_TEXT) ?? "";
    if (url !== "" && !/^https?:\/\//.test(url)) {
      throw new InvalidFieldError({ path, expected: "an http(s) URL", got: url });
    }
  }
  return {
    uuid: uuid.toLowerCase(),
    fullName: `${first} ${last}`,
    gender: genderBucket(gender),
    age,
    ageBand: ageBand(age),
    country,
    city,
    email,
    picture: optionalTextAt(value, "picture.large", URL_TEXT) ?? "",
    nat: optionalTextAt(value, "nat", SHORT) ?? "",
    record: value as unknown as RandomUserRecord,
  };
}

/** The dashboard's view of a user at an event time. */
export function summarize(user: User, ts: number): UserSummary {
  return {
    uuid: user.uuid,
    fullName: user.fullName,
    gender: user.gender,
    age: user.age,
    country: user.country,
    city: user.city,
    email: user.email,
    picture: user.picture,
    ts,
  };
}
