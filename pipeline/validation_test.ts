import assert from "node:assert/strict";
import {
  at,
  checkShape,
  describe,
  InvalidFieldError,
  numberAt,
  optionalTextAt,
  textAt,
} from "./validation.ts";
import { RecordError } from "./record_error.ts";

/** Asserts that `run` throws an `InvalidFieldError` for `field` whose message is `message`. */
function refused(run: () => unknown, field: string, message: string | RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidFieldError, String(error));
    assert.ok(error instanceof RecordError && error.code === "invalid");
    assert.equal(error.field, field);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

Deno.test("at reads own keys only: prototype names are not fields", () => {
  assert.equal(at({}, "constructor"), undefined);
  assert.equal(at({ a: {} }, "a.toString"), undefined);
  assert.equal(at({}, "__proto__"), undefined);
  const parsed = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c"}');
  assert.deepEqual(at(parsed, "__proto__"), { x: 1 }, "a JSON key named __proto__ is data");
  assert.equal(at(parsed, "constructor"), "c");
  assert.equal(at(parsed, "x"), undefined);
  assert.equal(at({ a: [1] }, "a.0"), undefined, "arrays are not walked into");
});

Deno.test("text is checked for type, length, control characters and blankness, never changed", () => {
  const limits = { max: 10 };
  assert.equal(textAt({ t: " Añ 😀 " }, "t", limits), " Añ 😀 ");
  refused(() => textAt({ t: 5 }, "t", limits), "t", "`t` must be a non-empty string, got 5");
  refused(() => textAt({}, "t", limits), "t", "`t` must be a non-empty string, got nothing");
  refused(() => textAt({ t: "  " }, "t", limits), "t", '`t` must be a non-empty string, got "  "');
  refused(
    () => textAt({ t: "x".repeat(11) }, "t", limits),
    "t",
    "`t` must be a non-empty string of at most 10 characters, got 11 characters",
  );
  refused(
    () => textAt({ t: "ab\u001fc" }, "t", limits),
    "t",
    "`t` must be a string without control characters (U+0000-U+001F, U+007F-U+009F), " +
      'got U+001F at character 3 of "ab\\u001fc"',
  );
  for (const control of ["\u0000", "\t", "\n", "\r", "\u001b", "\u007f", "\u0080", "\u009f"]) {
    refused(() => textAt({ t: `a${control}` }, "t", limits), "t", /without control characters/);
  }
  refused(() => textAt({ t: "\udc00a" }, "t", limits), "t", /without lone surrogates/);
  const free = { max: 10, multiline: true };
  assert.equal(textAt({ t: "a\tb\r\nc\n" }, "t", free), "a\tb\r\nc\n", "free text may have lines");
  for (const control of ["\u0000", "\u000b", "\u000c", "\u001f", "\u007f", "\u0085"]) {
    refused(() => textAt({ t: `a${control}` }, "t", free), "t", /other than tab and line breaks/);
  }
  assert.equal(textAt({ t: "" }, "t", { max: 1, allowEmpty: true }), "");
  assert.equal(textAt({ t: "\u00a0\u200b\u2028" }, "t", limits), "\u00a0\u200b\u2028");
});

Deno.test("optional text is undefined when absent or null, and checked when present", () => {
  assert.equal(optionalTextAt({}, "t", { max: 5 }), undefined);
  assert.equal(optionalTextAt({ t: null }, "t", { max: 5 }), undefined);
  assert.equal(optionalTextAt({ t: "ok" }, "t", { max: 5 }), "ok");
  refused(
    () => optionalTextAt({ t: [] }, "t", { max: 5 }),
    "t",
    "`t` must be a non-empty string, got []",
  );
});

Deno.test("numbers are finite and within their documented bounds", () => {
  const bounds = { integer: true, min: 1, max: 5 };
  assert.equal(numberAt({ n: 5 }, "n", bounds), 5);
  assert.equal(numberAt({ n: JSON.parse("1e0") }, "n", bounds), 1, "an exponent is its value");
  for (const bad of [0, 6, 2.5, NaN, Infinity, -Infinity, "3", null, undefined]) {
    refused(
      () => numberAt({ n: bad }, "n", bounds),
      "n",
      /^`n` must be an integer from 1 to 5, got /,
    );
  }
  refused(
    () => numberAt({ n: 1e308 }, "n", { min: 0, max: 1 }),
    "n",
    "`n` must be a number from 0 to 1, got 1e+308",
  );
});

Deno.test("describe stays short and cheap for huge and deep values", () => {
  assert.equal(describe(undefined), "nothing");
  assert.equal(describe("abc"), '"abc"');
  assert.equal(describe("a\u001fb"), '"a\\u001fb"', "control characters are shown escaped");
  assert.equal(describe(42), "42");
  assert.equal(describe([1, "a", null]), '[1,"a",null]');
  assert.equal(describe({ a: 1 }), "{...}", "an object's keys are not listed");
  const long = describe("x".repeat(1_000_000));
  assert.ok(long.length <= 60 && long.endsWith("..."), long);
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(describe(deep), "[[[...]]]");
  const huge = new Array(1_000_000).fill(7);
  const started = performance.now();
  assert.equal(describe(huge), "[7,7,7,7,...]");
  assert.ok(performance.now() - started < 5, "a huge array is described without reading it all");
});

Deno.test("a value kept as received is bounded in depth and count", () => {
  const limits = { maxDepth: 3, maxValues: 10 };
  checkShape({ a: { b: [1, 2] } }, "(record)", limits);
  refused(
    () => checkShape({ a: { b: [[1]] } }, "(record)", limits),
    "(record)",
    /got more than 3 levels$/,
  );
  refused(
    () => checkShape({ a: new Array(10).fill(1) }, "(record)", limits),
    "(record)",
    /at most 3 levels deep with at most 10 values, got more than 10 values$/,
  );
});
