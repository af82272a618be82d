/**
 * The RandomUser API v1.4 record, exactly as `https://randomuser.me/api/` returns it
 * in `results[]`, and the validated user StreamBoard derives from it.
 */

/** One item of a RandomUser API response's `results` array. */
export interface RandomUserRecord {
  gender: string;
  name: { title: string; first: string; last: string };
  location: {
    street: { number: number; name: string };
    city: string;
    state: string;
    country: string;
    /** The real API returns numbers for some nationalities and strings for others. */
    postcode: number | string;
    coordinates: { latitude: string; longitude: string };
    timezone: { offset: string; description: string };
  };
  email: string;
  login: {
    uuid: string;
    username: string;
    password: string;
    salt: string;
    md5: string;
    sha1: string;
    sha256: string;
  };
  dob: { date: string; age: number };
  registered: { date: string; age: number };
  phone: string;
  cell: string;
  /** `value` is null for nationalities without a national id. */
  id: { name: string; value: string | null };
  /** Absent when the API was not asked for it, and in generated users. */
  picture?: { large: string; medium: string; thumbnail: string };
  nat: string;
}

/** A RandomUser API response. */
export interface RandomUserResponse {
  results: RandomUserRecord[];
  info: { seed: string; results: number; page: number; version: string };
}

/** Gender as counted on the dashboard. */
export type GenderBucket = "male" | "female" | "other";

/** A validated user with the fields StreamBoard derives. */
export interface User {
  uuid: string;
  /** `first + " " + last`, as the reference Spark job joined them. */
  fullName: string;
  gender: GenderBucket;
  /** Whole years from `dob.date` to the event time. */
  age: number;
  ageBand: string;
  country: string;
  city: string;
  email: string;
  /** Photo URL (`picture.large`), empty when the record has none. */
  picture: string;
  nat: string;
  /** The record as received. */
  record: RandomUserRecord;
}

/** The part of a user that the dashboard shows and the live feed carries. */
export interface UserSummary {
  uuid: string;
  fullName: string;
  gender: GenderBucket;
  age: number;
  country: string;
  city: string;
  email: string;
  picture: string;
  /** Event time, ms since the epoch. */
  ts: number;
}

/** Gender counters of the dashboard and `GET /stats`. */
export interface GenderStats {
  total: number;
  male: number;
  female: number;
  other: number;
}
