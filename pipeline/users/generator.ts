/**
 * A seeded generator of RandomUser API v1.4 records: the same shape, types and
 * quirks as the real API, so the processor is exercised as in production.
 * Generated users have no `picture` (the API leaves it out when not asked
 * for it): their photos would be requests to randomuser.me, so the app draws
 * their avatar itself and generated data needs nothing from outside.
 */

import type { Random } from "../random.ts";
import type { RandomUserRecord, RandomUserResponse } from "./randomuser.ts";
import { NATIONALITIES, type Nationality } from "./nationalities.ts";

const YEAR_MS = 365.2425 * 24 * 3600 * 1000;
const ADJECTIVES = ["yellow", "silver", "happy", "lazy", "crazy", "purple", "tiny", "brave"];
const ANIMALS = ["peacock", "koala", "tiger", "swan", "bear", "rabbit", "leopard", "goose"];
const PASSWORDS = ["addison", "qwerty12", "sunshine", "dragon", "letmein", "trustno1"];

/**
 * Makes one user as the RandomUser API would return it in `results[]`.
 *
 * @param random the seeded source; the same seed gives the same users
 * @param now ms since the epoch; ages and registration dates are relative to it
 */
export function generateUser(random: Random, now: number): RandomUserRecord {
  const n = random.pick(NATIONALITIES);
  const gender = random.next() < 0.5 ? "male" : "female";
  const [first, firstLatin] = random.pick(gender === "male" ? n.male : n.female);
  const [last, lastLatin] = random.pick(n.last);
  const [city, state] = random.pick(n.places);
  const birth = now - random.int(18, 80) * YEAR_MS - random.int(0, 364) * 86_400_000;
  const registered = now - random.int(1, 20) * YEAR_MS - random.int(0, 364) * 86_400_000;
  const password = random.pick(PASSWORDS);
  return {
    gender,
    name: { title: title(random, gender), first, last },
    location: {
      street: { number: random.int(1, 9999), name: random.pick(n.streets) },
      city,
      state,
      country: n.country,
      postcode: postcode(random, n),
      coordinates: {
        latitude: (random.next() * 180 - 90).toFixed(4),
        longitude: (random.next() * 360 - 180).toFixed(4),
      },
      timezone: { offset: n.timezone[0], description: n.timezone[1] },
    },
    email: `${firstLatin}.${lastLatin}@example.com`.normalize("NFD").toLowerCase()
      .replaceAll(/[^a-z0-9.@]/g, ""),
    login: {
      uuid: random.uuid(),
      username: `${random.pick(ADJECTIVES)}${random.pick(ANIMALS)}${random.int(100, 999)}`,
      password,
      salt: random.hex(8),
      md5: random.hex(32),
      sha1: random.hex(40),
      sha256: random.hex(64),
    },
    dob: { date: new Date(birth).toISOString(), age: Math.floor((now - birth) / YEAR_MS) },
    registered: {
      date: new Date(registered).toISOString(),
      age: Math.floor((now - registered) / YEAR_MS),
    },
    phone: digits(random, n.phone),
    cell: digits(random, n.phone),
    id: { name: n.idName, value: idValue(random, n) },
    nat: n.nat,
  };
}

/** A whole API response of `count` users, as `GET /api/?results=count` returns it. */
export function generateResponse(random: Random, now: number, count: number): RandomUserResponse {
  const results = Array.from({ length: count }, () => generateUser(random, now));
  return { results, info: { seed: random.hex(16), results: count, page: 1, version: "1.4" } };
}

function title(random: Random, gender: string): string {
  return gender === "male" ? random.pick(["Mr", "Monsieur"]) : random.pick(["Ms", "Mrs", "Miss"]);
}

function postcode(random: Random, n: Nationality): number | string {
  switch (n.postcode) {
    case "number5":
      return random.int(10000, 99999);
    case "number4":
      return random.int(1000, 9999);
    case "uk":
      return `${letter(random)}${random.int(1, 9)} ${random.int(1, 9)}${letter(random)}${
        letter(random)
      }`;
    case "ca":
      return `${letter(random)}${random.int(0, 9)}${letter(random)} ${random.int(0, 9)}${
        letter(random)
      }${random.int(0, 9)}`;
  }
}

function idValue(random: Random, n: Nationality): string | null {
  if (n.idValue === null) return null;
  return n.idValue === "ssn"
    ? `${random.int(100, 899)}-${random.int(10, 99)}-${random.int(1000, 9999)}`
    : String(random.int(1e8, 1e9 - 1));
}

function digits(random: Random, pattern: string): string {
  return pattern.replaceAll(
    /[#LW]/g,
    (c) => (c === "#" ? String(random.int(0, 9)) : letter(random)),
  );
}

function letter(random: Random): string {
  return String.fromCharCode(65 + random.int(0, 25));
}
