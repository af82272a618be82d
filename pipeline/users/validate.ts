/**
 * Validation of RandomUser records and derivation of the fields the dashboard
 * needs. Pure: the event time comes in as a parameter, never from a clock.
 */

import type { GenderBucket, RandomUserRecord, User, UserSummary } from "./randomuser.ts";
import {
  at,
  InvalidFieldError,
  isObject,
  isoDateAt,
  numberAt,
  optionalStringAt,
  stringAt,
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

/**
 * Validates a RandomUser record and derives full name, age and country.
 *
 * Accepts what the real API returns: `postcode` as number or string,
 * non-Latin names, `id.value` null, coordinates as strings.
 *
 * @param value the parsed JSON of one `results[]` item
 * @param eventTime ms since the epoch at which the age is computed
 * @throws {InvalidFieldError} naming the first field that is wrong
 */
export function validateUser(value: unknown, eventTime: number): User {
  if (!isObject(value)) throw new InvalidFieldError("(record)", "a JSON object", value);
  const uuid = stringAt(value, "login.uuid");
  if (!UUID.test(uuid)) throw new InvalidFieldError("login.uuid", "a UUID", uuid);
  const gender = stringAt(value, "gender");
  const first = stringAt(value, "name.first");
  const last = stringAt(value, "name.last");
  optionalStringAt(value, "name.title");
  const email = stringAt(value, "email");
  const country = stringAt(value, "location.country");
  const city = optionalStringAt(value, "location.city");
  optionalStringAt(value, "location.state");
  const postcode = at(value, "location.postcode");
  if (postcode !== undefined && typeof postcode !== "string" && typeof postcode !== "number") {
    throw new InvalidFieldError("location.postcode", "a string or a number", postcode);
  }
  const birth = isoDateAt(value, "dob.date");
  if (at(value, "dob.age") !== undefined) numberAt(value, "dob.age", { min: 0 });
  const age = yearsBetween(birth, eventTime);
  if (age < 0 || age > 150) {
    throw new InvalidFieldError(
      "dob.date",
      "a birth date 0 to 150 years before the event",
      at(value, "dob.date"),
    );
  }
  if (at(value, "registered.date") !== undefined) isoDateAt(value, "registered.date");
  const idValue = at(value, "id.value");
  if (idValue !== undefined && idValue !== null && typeof idValue !== "string") {
    throw new InvalidFieldError("id.value", "a string or null", idValue);
  }
  const picture = optionalStringAt(value, "picture.large");
  if (picture !== "" && !/^https?:\/\//.test(picture)) {
    throw new InvalidFieldError("picture.large", "an http(s) URL", picture);
  }
  const nat = optionalStringAt(value, "nat");
  return {
    uuid,
    fullName: `${first} ${last}`,
    gender: genderBucket(gender),
    age,
    ageBand: ageBand(age),
    country,
    city,
    email,
    picture,
    nat,
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
