import assert from "node:assert/strict";
import { generateResponse, generateUser } from "./generator.ts";
import { validateUser } from "./validate.ts";
import { seededRandom } from "../random.ts";
import type { RandomUserRecord } from "./randomuser.ts";
import { JENNIE } from "../testing/randomuser_example.ts";

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

function users(seed: number, count: number): RandomUserRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => generateUser(random, NOW));
}

/** The sorted key sets of a value at every nesting level (leaves are `null`). */
function keyTree(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return null;
  }
  return Object.fromEntries(
    Object.keys(value).sort().map((
      key,
    ) => [key, keyTree((value as Record<string, unknown>)[key])]),
  );
}

const MANY = users(2024, 2000);

Deno.test("the same seed gives the same users", () => {
  assert.deepEqual(users(7, 50), users(7, 50));
  assert.deepEqual(
    generateResponse(seededRandom(7), NOW, 20),
    generateResponse(seededRandom(7), NOW, 20),
  );
});

Deno.test("a different seed gives different users", () => {
  const a = users(7, 50);
  const b = users(8, 50);
  assert.notDeepEqual(a, b);
  const uuidsOfA = new Set(a.map((u) => u.login.uuid));
  assert.ok(b.every((u) => !uuidsOfA.has(u.login.uuid)), "no uuid is shared");
});

Deno.test("uuids are unique within a generated stream", () => {
  assert.equal(new Set(MANY.map((u) => u.login.uuid)).size, MANY.length);
});

Deno.test("every generated user passes validation at the time it was generated for", () => {
  for (const user of MANY) {
    const valid = validateUser(user, NOW);
    assert.ok(valid.age >= 18, `${valid.fullName} is ${valid.age}`);
  }
});

Deno.test("every generated user has the RandomUser v1.4 record's keys at every level, but no picture", () => {
  const { picture: _photo, ...withoutPicture } = JENNIE;
  const expected = keyTree(withoutPicture);
  for (const user of MANY) {
    assert.deepEqual(keyTree(user), expected, user.login.uuid);
  }
});

Deno.test("generated fields have the API's types: coordinates as strings, street number as a number", () => {
  for (const user of MANY) {
    assert.equal(typeof user.location.street.number, "number");
    assert.equal(typeof user.location.coordinates.latitude, "string");
    assert.equal(typeof user.location.coordinates.longitude, "string");
    assert.ok(Number.isFinite(Number(user.location.coordinates.latitude)));
    assert.equal(typeof user.dob.age, "number");
    assert.equal(typeof user.registered.age, "number");
    assert.ok(!Number.isNaN(Date.parse(user.registered.date)));
  }
});

Deno.test("2,000 users include numeric and string postcodes and ids without a value", () => {
  const postcodeTypes = new Set(MANY.map((u) => typeof u.location.postcode));
  assert.deepEqual([...postcodeTypes].sort(), ["number", "string"]);
  assert.ok(MANY.some((u) => u.id.value === null), "some id.value is null");
  assert.ok(
    MANY.some((u) => typeof u.id.value === "string"),
    "some id.value is a string",
  );
});

Deno.test("2,000 users include non-Latin names", () => {
  assert.ok(
    MANY.some((u) => /\p{Script=Cyrillic}/u.test(u.name.first)),
    "Cyrillic",
  );
  assert.ok(
    MANY.some((u) => /\p{Script=Arabic}/u.test(u.name.first)),
    "Persian",
  );
});

Deno.test("e-mail addresses are plain ASCII, even for non-Latin names", () => {
  for (const user of MANY) {
    assert.match(
      user.email,
      /^[a-z0-9]+(\.[a-z0-9]+)*@example\.com$/,
      user.email,
    );
  }
});

Deno.test("generateResponse is a v1.4 API response with the asked number of results", () => {
  const response = generateResponse(seededRandom(1), NOW, 25);
  assert.equal(response.info.version, "1.4");
  assert.equal(response.info.results, 25);
  assert.equal(response.info.page, 1);
  assert.match(response.info.seed, /^[0-9a-f]{16}$/);
  assert.equal(response.results.length, 25);
  assert.deepEqual(Object.keys(response).sort(), ["info", "results"]);
});

Deno.test("generateResponse with zero results is an empty page", () => {
  const response = generateResponse(seededRandom(1), NOW, 0);
  assert.deepEqual(response.results, []);
  assert.equal(response.info.results, 0);
});

Deno.test("a generated user names no photo on another host: the app draws its avatar, so generated data works offline", () => {
  for (const user of MANY.slice(0, 100)) {
    assert.equal(user.picture, undefined);
    assert.equal(validateUser(user, NOW).picture, "");
    assert.doesNotMatch(JSON.stringify(user), /https?:/);
  }
});
