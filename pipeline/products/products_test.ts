import { RecordError } from "../record_error.ts";
import assert from "node:assert/strict";
import { addProduct, noProducts, validateProduct } from "./products.ts";

const TV = {
  id: 7,
  product: "Televizyon",
  description: "ikinci el LG OLED TV",
  price: 18000,
  kdv: 0.18,
  timestamp_column: "2025-02-16 07:29:49",
};

Deno.test("the reference record gets its exact total and a UTC event time", () => {
  const p = validateProduct(TV);
  assert.equal(p.total, "21240.00");
  assert.equal(p.price, "18000");
  assert.equal(p.kdv, "0.18");
  assert.equal(p.id, "7");
  assert.equal(p.ts, Date.UTC(2025, 1, 16, 7, 29, 49));
  assert.equal(validateProduct({ ...TV, price: 19.99, kdv: 0.08 }).total, "21.59");
  assert.equal(validateProduct({ ...TV, price: "10.25", kdv: "0.18" }).total, "12.10");
});

Deno.test("bad product records are refused with the field and what was wrong", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...TV, price: "abc" }, /`price` must be a decimal number, got "abc"/],
    [{ ...TV, price: -1 }, /`price` must be at least 0/],
    [{ ...TV, kdv: 1.5 }, /`kdv` must be a rate from 0 to 1/],
    [{ ...TV, product: undefined }, /`product` must be a non-empty string, got nothing/],
    [{ ...TV, id: 1.5 }, /`id` must be a whole number or a non-empty string/],
    [{ ...TV, timestamp_column: "16/02/2025 07:29" }, /`timestamp_column` must be a timestamp/],
    [[TV], /must be a JSON object/],
  ];
  for (const [record, reason] of cases) {
    assert.throws(() => validateProduct(record), (e: Error) => {
      assert.ok(e instanceof RecordError, String(e));
      assert.match(e.message, reason);
      return true;
    });
  }
});

Deno.test("window sums are exact decimal sums", () => {
  let sums = noProducts();
  for (let i = 0; i < 10; i++) {
    sums = addProduct(sums, validateProduct({ ...TV, price: 0.1, kdv: 0.2 }));
  }
  assert.deepEqual(sums, { records: 10, sumPrice: "1.00", sumTotal: "1.20" });
});
