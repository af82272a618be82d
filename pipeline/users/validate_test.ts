import { RecordError } from "../record_error.ts";
import assert from "node:assert/strict";
import { ageBand, genderBucket, validateUser, yearsBetween } from "./validate.ts";
import { decodeJson } from "../validation.ts";
import { JENNIE } from "../testing/randomuser_example.ts";
import { generateUser } from "./generator.ts";
import { seededRandom } from "../random.ts";
import { assertPlainData, assertValidatorHoldsUnderFire } from "../testing/hostile_json.ts";
import { checkShape } from "../validation.ts";

const EVENT_TIME = Date.UTC(2024, 5, 1, 12, 0, 0);

/** A copy of Jennie with `path` set to `value` (or removed when `value` is `undefined`). */
function jennieWith(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(JENNIE) as Record<string, unknown>;
  const steps = path.split(".");
  let parent = copy;
  for (const step of steps.slice(0, -1)) {
    parent = parent[step] as Record<string, unknown>;
  }
  const last = steps[steps.length - 1];
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

function rejects(record: unknown, message: string): void {
  assert.throws(() => validateUser(record, EVENT_TIME), (error: unknown) => {
    assert.ok(error instanceof RecordError, "validation errors are RecordErrors");
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("the RandomUser documentation's example record validates", () => {
  const user = validateUser(JENNIE, EVENT_TIME);
  assert.deepEqual(user, {
    uuid: "7a0eed16-9430-4d68-901f-c0d4c1c3bf00",
    fullName: "Jennie Nichols",
    gender: "female",
    age: 32,
    ageBand: "25-34",
    country: "United States",
    city: "Billings",
    email: "jennie.nichols@example.com",
    picture: "https://randomuser.me/api/portraits/men/75.jpg",
    nat: "US",
    record: JENNIE,
  });
});

Deno.test("validation keeps the record as received, unchanged", () => {
  const record = structuredClone(JENNIE);
  const user = validateUser(record, EVENT_TIME);
  assert.deepEqual(user.record, JENNIE);
  assert.deepEqual(record, JENNIE, "the input is not modified");
});

Deno.test("full name is first name, a space, last name", () => {
  const record = jennieWith("name", {
    title: "Mr",
    first: "Jean-Luc",
    last: "de la Tour",
  });
  assert.equal(
    validateUser(record, EVENT_TIME).fullName,
    "Jean-Luc de la Tour",
  );
});

Deno.test("age is computed from dob.date at the event time, not from dob.age", () => {
  // dob.age says 30, but on 2024-06-01 someone born 1992-03-08 is 32.
  assert.equal(validateUser(JENNIE, EVENT_TIME).age, 32);
  assert.equal(validateUser(JENNIE, Date.UTC(2000, 0, 1)).age, 7);
});

Deno.test("age goes up on the birthday, not the day before", () => {
  const dayBefore = Date.parse("2024-03-07T23:59:59.999Z");
  const birthday = Date.parse("2024-03-08T00:00:00.000Z");
  const dayAfter = Date.parse("2024-03-09T00:00:00.000Z");
  assert.equal(validateUser(JENNIE, dayBefore).age, 31);
  assert.equal(validateUser(JENNIE, birthday).age, 32);
  assert.equal(validateUser(JENNIE, dayAfter).age, 32);
});

Deno.test("someone born on 29 February turns a year older on 1 March in other years", () => {
  const birth = Date.parse("2000-02-29T10:00:00Z");
  assert.equal(yearsBetween(birth, Date.parse("2023-02-28T23:00:00Z")), 22);
  assert.equal(yearsBetween(birth, Date.parse("2023-03-01T00:00:00Z")), 23);
  assert.equal(yearsBetween(birth, Date.parse("2024-02-29T00:00:00Z")), 24);
});

Deno.test("the age band follows the computed age", () => {
  const user = validateUser(JENNIE, Date.parse("2010-03-07T00:00:00Z"));
  assert.equal(user.age, 17);
  assert.equal(user.ageBand, "<18");
});

Deno.test("postcode is accepted as a string and as a number", () => {
  assert.equal(
    validateUser(jennieWith("location.postcode", "63104"), EVENT_TIME).uuid,
    JENNIE.login.uuid,
  );
  const numeric = validateUser(
    jennieWith("location.postcode", 63104),
    EVENT_TIME,
  );
  assert.equal(
    numeric.record.location.postcode,
    63104,
    "kept as the number it was",
  );
  const uk = validateUser(
    jennieWith("location.postcode", "W1 2AB"),
    EVENT_TIME,
  );
  assert.equal(uk.record.location.postcode, "W1 2AB");
});

Deno.test("a postcode that is neither string nor number is refused", () => {
  rejects(
    jennieWith("location.postcode", true),
    "`location.postcode` must be a string or a number, got true",
  );
});

Deno.test("Cyrillic names are accepted and kept exactly", () => {
  const record = jennieWith("name", {
    title: "Mr",
    first: "Ярослав",
    last: "Бондаренко",
  });
  record.nat = "UA";
  const user = validateUser(record, EVENT_TIME);
  assert.equal(user.fullName, "Ярослав Бондаренко");
  assert.deepEqual(user.record.name, {
    title: "Mr",
    first: "Ярослав",
    last: "Бондаренко",
  });
});

Deno.test("Persian names and places are accepted and kept exactly", () => {
  const record = jennieWith("name", {
    title: "Mr",
    first: "آرش",
    last: "رضایی",
  });
  const location = record.location as Record<string, unknown>;
  location.city = "تهران";
  location.state = "کردستان";
  location.country = "Iran";
  const user = validateUser(record, EVENT_TIME);
  assert.equal(user.fullName, "آرش رضایی");
  assert.equal(user.city, "تهران");
  assert.equal(user.country, "Iran");
});

Deno.test("id.value null is accepted (nationalities without a national id)", () => {
  const user = validateUser(
    jennieWith("id", { name: "", value: null }),
    EVENT_TIME,
  );
  assert.deepEqual(user.record.id, { name: "", value: null });
});

Deno.test("an upper-case UUID is the same user: its id is the lower-case uuid", () => {
  const uuid = JENNIE.login.uuid.toUpperCase();
  const user = validateUser(jennieWith("login.uuid", uuid), EVENT_TIME);
  assert.equal(user.uuid, JENNIE.login.uuid);
  assert.equal(user.record.login.uuid, uuid, "the record keeps the uuid as it came");
  const mixed = "7A0eed16-9430-4D68-901f-C0D4C1C3BF00";
  assert.equal(validateUser(jennieWith("login.uuid", mixed), EVENT_TIME).uuid, JENNIE.login.uuid);
});

Deno.test("a record without login.uuid is refused, naming the field", () => {
  rejects(
    jennieWith("login.uuid", undefined),
    "`login.uuid` must be a non-empty string, got nothing",
  );
  rejects(
    jennieWith("login", undefined),
    "`login.uuid` must be a non-empty string, got nothing",
  );
});

Deno.test("a login.uuid that is not a UUID is refused", () => {
  rejects(
    jennieWith("login.uuid", "not-a-uuid"),
    '`login.uuid` must be a UUID, got "not-a-uuid"',
  );
  rejects(
    jennieWith(
      "login.uuid",
      "7a0eed16-9430-4d68-901f-c0d4c1c3bf00; DROP TABLE users",
    ),
    '`login.uuid` must be a UUID, got "7a0eed16-9430-4d68-901f-c0d4c1c3bf00; DROP TABLE users"',
  );
});

Deno.test("a dob.date that is not an ISO date is refused", () => {
  rejects(jennieWith("dob.date", 42), "`dob.date` must be an ISO date, got 42");
  // Date.parse alone reads both of these as 1 January 2020.
  rejects(
    jennieWith("dob.date", "2020-01-01\u0000x"),
    '`dob.date` must be an ISO date, got "2020-01-01\\u0000x"',
  );
  rejects(
    jennieWith("registered.date", "2020-01-01 (=cmd)"),
    '`registered.date` must be an ISO date, got "2020-01-01 (=cmd)"',
  );
  assert.equal(validateUser(jennieWith("dob.date", "1992-03-08"), EVENT_TIME).age, 32);
  rejects(
    jennieWith("dob.date", "yesterday"),
    '`dob.date` must be an ISO date, got "yesterday"',
  );
});

Deno.test("a birth date after the event is refused", () => {
  rejects(
    jennieWith("dob.date", "2030-01-01T00:00:00.000Z"),
    '`dob.date` must be a birth date 0 to 150 years before the event, got "2030-01-01T00:00:00.000Z"',
  );
});

Deno.test("an empty first name is refused", () => {
  rejects(
    jennieWith("name.first", ""),
    '`name.first` must be a non-empty string, got ""',
  );
  rejects(
    jennieWith("name.first", "   "),
    '`name.first` must be a non-empty string, got "   "',
  );
});

Deno.test("a record without gender is refused", () => {
  rejects(
    jennieWith("gender", undefined),
    "`gender` must be a non-empty string, got nothing",
  );
});

Deno.test("a picture that is not an http(s) URL is refused", () => {
  rejects(
    jennieWith("picture.large", "javascript:alert(1)"),
    '`picture.large` must be an http(s) URL, got "javascript:alert(1)"',
  );
});

Deno.test("a record without a picture is accepted with an empty picture", () => {
  assert.equal(
    validateUser(jennieWith("picture", undefined), EVENT_TIME).picture,
    "",
  );
});

Deno.test("a control character in any text field is refused, naming the field", () => {
  const fields = [
    "gender",
    "name.title",
    "name.first",
    "name.last",
    "location.street.name",
    "location.city",
    "location.state",
    "location.country",
    "location.postcode",
    "location.coordinates.latitude",
    "location.timezone.offset",
    "location.timezone.description",
    "email",
    "login.username",
    "login.password",
    "phone",
    "cell",
    "id.name",
    "id.value",
    "picture.large",
    "picture.thumbnail",
    "nat",
  ];
  for (const field of fields) {
    for (const bad of ["a\u001fb", "\u0000", "x\u007f", "x\u0085y"]) {
      assert.throws(() => validateUser(jennieWith(field, bad), EVENT_TIME), (error: unknown) => {
        assert.ok(error instanceof RecordError);
        assert.equal(error.field, field);
        assert.match(error.message, /must be a string without control characters/);
        return true;
      }, `${field} = ${JSON.stringify(bad)}`);
    }
  }
  rejects(
    jennieWith("name.first", "Jen\nnie"),
    "`name.first` must be a string without control characters (U+0000-U+001F, U+007F-U+009F), " +
      'got U+000A at character 4 of "Jen\\nnie"',
  );
});

Deno.test("text longer than its limit is refused with the limit and the length", () => {
  rejects(
    jennieWith("name.last", "N".repeat(201)),
    "`name.last` must be a non-empty string of at most 200 characters, got 201 characters",
  );
  rejects(
    jennieWith("email", `${"j".repeat(250)}@x.io`),
    "`email` must be a non-empty string of at most 254 characters, got 255 characters",
  );
  rejects(
    jennieWith("picture.large", `https://x.io/${"p".repeat(2048)}`),
    "`picture.large` must be a string of at most 2048 characters, got 2061 characters",
  );
  assert.equal(
    validateUser(jennieWith("name.last", "N".repeat(200)), EVENT_TIME).fullName.length,
    207,
  );
});

Deno.test("a lone surrogate in a name is refused as invalid Unicode", () => {
  rejects(
    jennieWith("name.first", "Jen\ud800"),
    '`name.first` must be a string without lone surrogates (invalid Unicode), got "Jen\\ud800"',
  );
  assert.equal(
    validateUser(jennieWith("name.first", "Jen😀"), EVENT_TIME).fullName,
    "Jen😀 Nichols",
  );
});

Deno.test("numeric fields are within their bounds", () => {
  rejects(
    jennieWith("location.postcode", 2 ** 53),
    "`location.postcode` must be an integer from 0 to 9007199254740991, got 9007199254740992",
  );
  rejects(
    jennieWith("location.postcode", 631.04),
    "`location.postcode` must be an integer from 0 to 9007199254740991, got 631.04",
  );
  rejects(
    jennieWith("dob.age", 1e300),
    "`dob.age` must be an integer from 0 to 150, got 1e+300",
  );
  rejects(
    jennieWith("registered.age", -1),
    "`registered.age` must be an integer from 0 to 150, got -1",
  );
  rejects(
    jennieWith("location.street.number", 1.5),
    "`location.street.number` must be an integer from 0 to 1000000000, got 1.5",
  );
  rejects(
    jennieWith("location.coordinates.latitude", 91),
    "`location.coordinates.latitude` must be a number from -90 to 90, got 91",
  );
  rejects(
    jennieWith("id.value", 405883636),
    "`id.value` must be a string, got 405883636",
  );
});

Deno.test("a record deeper or bigger than a real one is refused before anything is stored", () => {
  let deep: unknown = "x";
  for (let i = 0; i < 100_000; i++) deep = [deep];
  rejects(
    { ...JENNIE, extra: deep },
    "`(record)` must be at most 8 levels deep with at most 1000 values, got more than 8 levels",
  );
  rejects(
    { ...JENNIE, extra: new Array(100_000).fill(0) },
    "`(record)` must be at most 8 levels deep with at most 1000 values, got more than 1000 values",
  );
  const extra = { ...JENNIE, extra: { a: [1, 2, { b: "c" }] } };
  assert.deepEqual(validateUser(extra, EVENT_TIME).record, extra, "extra fields are kept");
});

Deno.test("a record that is not a JSON object is refused", () => {
  rejects(42, "`(record)` must be a JSON object, got 42");
  rejects(null, "`(record)` must be a JSON object, got null");
  rejects(
    [JENNIE.login.uuid],
    '`(record)` must be a JSON object, got ["7a0eed16-9430-4d68-901f-c0d4c1c3bf00"]',
  );
  rejects("Jennie", '`(record)` must be a JSON object, got "Jennie"');
});

Deno.test("age bands change exactly at their lowest age", () => {
  const cases: Array<[number, string]> = [
    [0, "<18"],
    [17, "<18"],
    [18, "18-24"],
    [24, "18-24"],
    [25, "25-34"],
    [34, "25-34"],
    [35, "35-44"],
    [44, "35-44"],
    [45, "45-54"],
    [54, "45-54"],
    [55, "55-64"],
    [64, "55-64"],
    [65, "65+"],
    [120, "65+"],
  ];
  for (const [age, band] of cases) {
    assert.equal(ageBand(age), band, `age ${age}`);
  }
});

Deno.test("gender buckets: male and female in any case, everything else is other", () => {
  assert.equal(genderBucket("male"), "male");
  assert.equal(genderBucket("female"), "female");
  assert.equal(genderBucket("Female "), "female");
  assert.equal(genderBucket("MALE"), "male");
  assert.equal(genderBucket("non-binary"), "other");
  assert.equal(genderBucket(""), "other");
});

Deno.test("the record's gender is counted in its bucket", () => {
  assert.equal(
    validateUser(jennieWith("gender", "Male"), EVENT_TIME).gender,
    "male",
  );
  assert.equal(
    validateUser(jennieWith("gender", "diverse"), EVENT_TIME).gender,
    "other",
  );
});

Deno.test("decodeJson reads UTF-8 JSON bytes, non-Latin text included", () => {
  const bytes = new TextEncoder().encode(
    JSON.stringify({ first: "Ярослав", last: "رضایی" }),
  );
  assert.deepEqual(decodeJson(bytes), { first: "Ярослав", last: "رضایی" });
});

Deno.test("decodeJson refuses bytes that are not UTF-8 as an invalid record", () => {
  assert.throws(() => decodeJson(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), {
    name: "RecordError",
    message: "record is not valid UTF-8",
  });
});

Deno.test("decodeJson refuses text that is not JSON as an invalid record", () => {
  assert.throws(
    () => decodeJson(new TextEncoder().encode("not json")),
    (error: unknown) => {
      assert.ok(error instanceof RecordError && error.code === "invalid");
      assert.match(error.message, /^record is not JSON: /);
      return true;
    },
  );
  assert.throws(() => decodeJson(new Uint8Array()), RecordError);
});

Deno.test("hostile variants of users validate within bounds or are refused naming a field", () => {
  const random = seededRandom(5);
  const generated = Array.from({ length: 20 }, () => generateUser(random, EVENT_TIME));
  const { accepted, refused } = assertValidatorHoldsUnderFire({
    valid: [JENNIE, ...generated],
    validate: (value) => validateUser(value, EVENT_TIME),
    seed: 20250216,
    count: 3000,
    accepted: (user) => {
      const { record, ...derived } = user;
      assertPlainData(derived, { maxText: 2048 });
      assert.match(user.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.ok(user.age >= 0 && user.age <= 150);
      checkShape(record, "(record)", { maxDepth: 8, maxValues: 1000 });
    },
  });
  assert.ok(accepted > 100 && refused > 1000, `${accepted} accepted, ${refused} refused`);
});
