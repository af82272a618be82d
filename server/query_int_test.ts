import assert from "node:assert/strict";
import { queryInt } from "./query_int.ts";
import { HttpError } from "./http_error.ts";

const LIMIT = { min: 1, max: 500, fallback: 50 };
const read = (query: string) => queryInt(new URLSearchParams(query), "limit", LIMIT);

Deno.test("queryInt reads plain decimal digits within the bounds, the fallback when absent", () => {
  assert.equal(read(""), 50);
  assert.equal(read("limit=1"), 1);
  assert.equal(read("limit=500"), 500);
  assert.equal(read("limit=007"), 7);
});

Deno.test("queryInt refuses every other spelling of a number with 400 naming the parameter", () => {
  const refused = [
    "0x10",
    "1e2",
    "+5",
    "-5",
    " 5",
    "5 ",
    "5.0",
    "5.",
    ".5",
    "",
    "Infinity",
    "NaN",
    "0b1",
    "0o7",
    "1_0",
    "٥",
    "0",
    "501",
    "9".repeat(40),
  ];
  for (const text of refused) {
    assert.throws(() => read(`limit=${encodeURIComponent(text)}`), (error: unknown) => {
      assert.ok(error instanceof HttpError, text);
      assert.equal(error.status, 400);
      assert.match(
        error.message,
        /^limit must be a whole number from 1 to 500 in plain digits, got /,
      );
      return true;
    }, text);
  }
});

Deno.test("queryInt refuses a repeated parameter instead of guessing which one counts", () => {
  const params = new URLSearchParams("limit=50&limit=%00");
  assert.throws(
    () => queryInt(params, "limit", { min: 1, max: 500, fallback: 50 }),
    (error: unknown) =>
      error instanceof HttpError && error.status === 400 &&
      /once, got it 2 times/.test(error.message),
  );
});
