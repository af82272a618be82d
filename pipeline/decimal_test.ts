import { RecordError } from "./record_error.ts";
import assert from "node:assert/strict";
import { add, format, multiply, ONE, parseDecimal, round } from "./decimal.ts";

const d = (v: unknown) => parseDecimal(v, "x");
const vat = (price: unknown, kdv: unknown) =>
  format(round(multiply(d(price), add(ONE, d(kdv))), 2));

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

Deno.test("numbers and numeric text are both read; exponents are expanded", () => {
  assert.deepEqual(d(19.99), { units: 1999n, scale: 2 });
  assert.deepEqual(d(" 19.99 "), { units: 1999n, scale: 2 });
  assert.deepEqual(d(1e21), { units: 10n ** 21n, scale: 0 });
  assert.equal(format(d(1e-7)), "0.0000001");
  assert.equal(format(add(d("1.5"), d("2.25"))), "3.75");
});

Deno.test("anything that is not a decimal is refused with the field's name", () => {
  for (const bad of ["abc", "", "1,5", null, true, Infinity, NaN, {}, "1.2.3"]) {
    assert.throws(() => parseDecimal(bad, "price"), (e: Error) => {
      assert.ok(e instanceof RecordError);
      assert.match(e.message, /`price` must be a decimal number/);
      return true;
    });
  }
});
