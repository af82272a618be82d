import { RecordError } from "./record_error.ts";
import assert from "node:assert/strict";
import { add, format, multiply, ONE, parseDecimal, parseFormatted, round } from "./decimal.ts";
import { InvalidFieldError } from "./validation.ts";

const ANY = { min: -999_999_999_999_999, max: 999_999_999_999_999 };
const d = (v: unknown) => parseDecimal(v, "x", ANY);
const vat = (price: unknown, kdv: unknown) =>
  format(round(multiply(d(price), add(ONE, d(kdv))), 2));

/** Asserts that `value` is refused for `price` with a message matching `reason`. */
function refused(value: unknown, reason: RegExp, bounds = ANY) {
  assert.throws(() => parseDecimal(value, "price", bounds), (e: unknown) => {
    assert.ok(e instanceof InvalidFieldError, String(e));
    assert.ok(e instanceof RecordError);
    assert.equal(e.field, "price");
    assert.match(e.message, reason);
    return true;
  }, `${String(value)} is refused`);
}

Deno.test("price × (1 + kdv) is exact to the cent", () => {
  assert.equal(vat(18000, 0.18), "21240.00");
  assert.equal(vat(19.99, 0.08), "21.59");
  assert.equal(vat("0.1", "0.2"), "0.12");
  // 10.25 × 1.18 is 12.095 exactly; in binary floating point it is 12.094999999999999.
  assert.equal((10.25 * 1.18).toFixed(2), "12.09");
  assert.equal(vat(10.25, 0.18), "12.10");
  assert.equal(vat(1.005, 0), "1.01");
});

Deno.test("halves round away from zero", () => {
  assert.equal(format(round(d("2.345"), 2)), "2.35");
  assert.equal(format(round(d("-2.345"), 2)), "-2.35");
  assert.equal(format(round(d("2.344"), 2)), "2.34");
  assert.equal(format(round(d("0.005"), 2)), "0.01");
  assert.equal(format(round(d(7), 2)), "7.00");
});

Deno.test("numbers are read as their shortest text, small ones with an exponent included", () => {
  assert.deepEqual(d(19.99), { units: 1999n, scale: 2 });
  assert.deepEqual(d(1e14), { units: 10n ** 14n, scale: 0 });
  assert.equal(format(d(1e-7)), "0.0000001");
  assert.equal(format(d(-2.5e-7)), "-0.00000025");
  assert.equal(format(add(d("1.5"), d("2.25"))), "3.75");
});

Deno.test("numeric text is plain decimal notation, read exactly", () => {
  assert.deepEqual(d("19.99"), { units: 1999n, scale: 2 });
  assert.deepEqual(d("19.90"), { units: 1990n, scale: 2 }, "trailing zeros keep the scale");
  assert.deepEqual(d("-0.5"), { units: -5n, scale: 1 });
  assert.equal(format(d("007.50")), "7.50", "leading zeros do not change the value");
  assert.equal(format(d("0.123456789012345678")), "0.123456789012345678");
});

Deno.test("anything that is not a decimal is refused with the field's name", () => {
  for (const bad of ["abc", "", "1,5", null, true, Infinity, NaN, {}, [], "1.2.3", undefined]) {
    refused(bad, /`price` must be a decimal number \(a JSON number or plain decimal text/);
  }
});

Deno.test("numeric text with an exponent, a plus sign or spaces is refused, not normalised", () => {
  for (const bad of ["1e2", "1E2", "1e999999", "1e-999999", "+5", " 19.99", "19.99 ", ".5", "5."]) {
    refused(bad, /plain decimal text/);
  }
  refused("1".repeat(41), /plain decimal text/);
});

Deno.test("the count of digits is bounded, so no value expands to megabytes", () => {
  refused(
    1e15,
    /below 10\^15 with at most 18 significant digits and 18 decimals, got 1000000000000000/,
  );
  refused(1e21, /below 10\^15/);
  refused(-1e300, /below 10\^15/);
  refused(Number.MAX_VALUE, /below 10\^15/);
  refused("1000000000000000", /below 10\^15/);
  refused("1234567890123456789", /18 significant digits/);
  refused("0.0000000000000000001", /18 decimals/);
  refused(5e-324, /18 decimals/);
  refused(1e-19, /18 decimals/);
  assert.equal(format(d(999_999_999_999_999)), "999999999999999");
  assert.equal(format(d("0.000000000000000001")), "0.000000000000000001");
});

Deno.test("a value outside the field's bounds is refused with the bounds", () => {
  const price = { min: 0, max: 1000 };
  refused(-0.01, /`price` must be a decimal number from 0 to 1000, got -0.01/, price);
  refused("1000.000001", /from 0 to 1000/, price);
  assert.equal(format(parseDecimal("1000.000", "price", price)), "1000.000");
  assert.equal(format(parseDecimal(0, "price", price)), "0");
  assert.equal(format(parseDecimal("-0", "price", price)), "0", "minus zero is zero");
});

Deno.test("our own sums of any length are read back exactly", () => {
  const big = "123456789012345678901234567890.12";
  assert.equal(format(parseFormatted(big)), big);
  assert.equal(
    format(add(parseFormatted(big), parseFormatted("0.88"))),
    "123456789012345678901234567891.00",
  );
  assert.throws(() => parseFormatted("1e5"), (e: unknown) => !(e instanceof RecordError));
});
