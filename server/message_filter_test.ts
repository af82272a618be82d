import assert from "node:assert/strict";
import { type FilterableMessage, InvalidFilterError, parseFilter } from "./message_filter.ts";
import type { Json } from "../pipeline/ports.ts";

const message = (json: Json | undefined, extra: Partial<FilterableMessage> = {}) => ({
  key: "user-1",
  headers: { reason: "late record", code: "late" },
  json,
  text: json === undefined ? "not json" : JSON.stringify(json),
  ...extra,
});
const sale = message({ id: "s1", total: 21.5, quantity: 2, city: "Paris", tags: ["a"], n: "7" });

Deno.test("a filter matches on the key, a header or a JSON path of the value", () => {
  assert.equal(parseFilter("key=user-1")(sale), true);
  assert.equal(parseFilter("key=user-2")(sale), false);
  assert.equal(parseFilter("header.code=late")(sale), true);
  assert.equal(parseFilter("city=Paris")(sale), true);
  assert.equal(parseFilter("value.city=Paris")(sale), true);
  const nested = message({ user: { address: { city: "Lyon" } }, items: [{ id: 4 }] });
  assert.equal(parseFilter("user.address.city=Lyon")(nested), true);
  assert.equal(parseFilter("items.0.id=4")(nested), true);
  assert.equal(parseFilter("items.1.id=4")(nested), false);
});

Deno.test("~ finds text ignoring case; != matches other values and missing fields", () => {
  assert.equal(parseFilter("header.reason~LATE")(sale), true);
  assert.equal(parseFilter("header.reason~early")(sale), false);
  assert.equal(parseFilter('tags~"a"')(sale), true, "an array is searched as its JSON");
  assert.equal(parseFilter("city!=Lyon")(sale), true);
  assert.equal(parseFilter("city!=Paris")(sale), false);
  assert.equal(parseFilter("missing!=x")(sale), true);
  assert.equal(parseFilter("missing=x")(sale), false);
  assert.equal(parseFilter("missing~x")(sale), false);
});

Deno.test("numeric comparisons compare numbers, also numbers written as text", () => {
  assert.equal(parseFilter("total>21")(sale), true);
  assert.equal(parseFilter("total>21.5")(sale), false);
  assert.equal(parseFilter("total>=21.5")(sale), true);
  assert.equal(parseFilter("total<100")(sale), true);
  assert.equal(parseFilter("total<=21")(sale), false);
  assert.equal(parseFilter("total=21.50")(sale), true, "= on a number compares numbers");
  assert.equal(parseFilter("n>6")(sale), true);
  assert.equal(parseFilter("city>6")(sale), false, "text is not a number");
  assert.equal(parseFilter("tags>0")(sale), false);
});

Deno.test("clauses joined by && must all hold; quoted operands may hold && and spaces", () => {
  assert.equal(parseFilter("key=user-1 && city=Paris && total>20")(sale), true);
  assert.equal(parseFilter("key=user-1 && city=Lyon")(sale), false);
  const odd = message({ note: 'a && b "quoted"' });
  assert.equal(parseFilter('note="a && b \\"quoted\\""')(odd), true);
  assert.equal(parseFilter("  ")(sale), true, "a blank filter matches all");
});

Deno.test("a value that is not JSON has only its key, headers and whole text", () => {
  const text = message(undefined);
  assert.equal(parseFilter("value~NOT")(text), true);
  assert.equal(parseFilter("a.b=1")(text), false);
  assert.equal(parseFilter("key=user-1")(text), true);
});

Deno.test("a filter is never evaluated: code, prototype names and odd fields are plain text", () => {
  const probe = message({ a: 1 });
  assert.equal(parseFilter("constructor~Function")(probe), false);
  assert.equal(parseFilter("__proto__!=x")(probe), true, "no field __proto__");
  assert.equal(parseFilter("a=process.exit(1)")(probe), false);
  assert.equal(parseFilter("key=${Deno.exit()}")(probe), false);
});

Deno.test("a filter that cannot be read is refused with what is wrong", () => {
  const bad: Array<[string, RegExp]> = [
    ["city", /expected <field><operator><value>/],
    ["=Paris", /expected <field><operator><value>/],
    ["total>ten", /> needs a number, got ten/],
    ["total>=0x10", /needs a number/],
    ["key=a &&", /an && of the filter has no clause/],
    ['note="open', /double quote of the filter is not closed/],
    ["a..b=1", /dotted path/],
    ["a b=1", /dotted path/],
    ['note="x" y', /quoted value must be one JSON string/],
    ["x".repeat(501), /longer than 500/],
    [Array.from({ length: 11 }, (_, i) => `a=${i}`).join("&&"), /at most 10 clauses/],
  ];
  for (const [filter, why] of bad) {
    assert.throws(() => parseFilter(filter), (error: unknown) => {
      assert.ok(error instanceof InvalidFilterError, filter);
      assert.match(error.message, why, filter);
      assert.equal(error.code, "invalid-filter");
      return true;
    });
  }
});

Deno.test("a comparison on a long run of digits in a message takes linear time", () => {
  const digits = message({ a: `${"1".repeat(1_000_000)}x`, b: "2".repeat(1_000_000) });
  const started = performance.now();
  assert.equal(parseFilter("a>1")(digits), false, "digits followed by a letter are no number");
  assert.equal(parseFilter("b>=1")(digits), false, "too large to be a finite number");
  assert.equal(parseFilter("a=1")(digits), false);
  // The quadratic pattern took about 2 s for 16,000 digits on the build machine; this is 2 MB.
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
});
