import { RecordError } from "../record_error.ts";
import assert from "node:assert/strict";
import { addProduct, noProducts, validateProduct } from "./products.ts";
import { generateProduct } from "./generator.ts";
import { seededRandom } from "../random.ts";
import { assertPlainData, assertValidatorHoldsUnderFire } from "../testing/hostile_json.ts";

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
    [{ ...TV, price: "abc" }, /`price` must be a decimal number .*, got "abc"/],
    [{ ...TV, price: -1 }, /`price` must be a decimal number from 0 to 1000000000000, got -1/],
    [{ ...TV, kdv: 1.5 }, /`kdv` must be a decimal number from 0 to 1, got 1.5/],
    [{ ...TV, product: undefined }, /`product` must be a non-empty string, got nothing/],
    [{ ...TV, id: 1.5 }, /`id` must be an integer from 0 to 9007199254740991, got 1.5/],
    [{ ...TV, id: null }, /`id` must be a whole number or non-empty text, got null/],
    [{ ...TV, id: " " }, /`id` must be a non-empty string, got " "/],
    [{ ...TV, timestamp_column: "16/02/2025 07:29" }, /`timestamp_column` must be a timestamp/],
    [[TV], /must be a JSON object/],
    [{ ...TV, price: "1e999999" }, /`price` must be a decimal number \(a JSON number or plain/],
    [{ ...TV, price: "1e2" }, /plain decimal text/],
    [{ ...TV, price: 1e15 }, /`price` must be a decimal number below 10\^15/],
    [{ ...TV, price: 2e12 }, /`price` must be a decimal number from 0 to 1000000000000/],
    [{ ...TV, kdv: "0.0000000000000000001" }, /`kdv` .* at most 18 .* decimals/],
    [{ ...TV, product: "TV\u001fOLED" }, /`product` must be a string without control characters/],
    [{ ...TV, description: "a\u0007b" }, /`description` must be a string without control/],
    [{ ...TV, product: "a\nb" }, /`product` must be a string without control/],
    [{ ...TV, description: "x".repeat(2001) }, /at most 2000 characters, got 2001 characters/],
    [{ ...TV, id: "x".repeat(129) }, /`id` .* at most 128 characters/],
    [{ ...TV, timestamp_column: "2025-02-16 07:29:49\u0000" }, /`timestamp_column` .*control/],
  ];
  for (const [record, reason] of cases) {
    assert.throws(() => validateProduct(record), (e: Error) => {
      assert.ok(e instanceof RecordError, String(e));
      assert.match(e.message, reason);
      return true;
    });
  }
});

Deno.test("a numeric id is kept only when it is the number sent: a safe integer", () => {
  assert.equal(validateProduct({ ...TV, id: Number.MAX_SAFE_INTEGER }).id, "9007199254740991");
  // JSON.parse reads 9007199254740993 as 9007199254740992: not what was sent, so refused.
  const parsed = JSON.parse('{"id": 9007199254740993}').id;
  assert.throws(() => validateProduct({ ...TV, id: parsed }), /`id` must be an integer from 0/);
  assert.throws(() => validateProduct({ ...TV, id: -1 }), /`id` must be an integer from 0/);
  assert.equal(validateProduct({ ...TV, id: 1e2 }).id, "100", "an exponent in JSON is its value");
});

Deno.test("a text id, name and description are kept exactly as sent", () => {
  const p = validateProduct({ ...TV, id: " 007 ", product: "=1+1", description: "" });
  assert.equal(p.id, " 007 ");
  assert.equal(p.product, "=1+1", "neutralised in the CSV, not here");
  assert.equal(p.description, "");
  const lines = "satır\r\nsonu\tve\nson";
  assert.equal(
    validateProduct({ ...TV, description: lines }).description,
    lines,
    "free text may have lines",
  );
});

Deno.test("the largest prices give exact totals", () => {
  const p = validateProduct({ ...TV, price: "1000000000000", kdv: 1 });
  assert.equal(p.total, "2000000000000.00");
  const fine = validateProduct({ ...TV, price: "123456789012.345678", kdv: "0.18" });
  assert.equal(fine.total, "145679011034.57", "123456789012.345678 × 1.18 = 145679011034.56790004");
});

Deno.test("window sums are exact decimal sums", () => {
  let sums = noProducts();
  for (let i = 0; i < 10; i++) {
    sums = addProduct(sums, validateProduct({ ...TV, price: 0.1, kdv: 0.2 }));
  }
  assert.deepEqual(sums, { records: 10, sumPrice: "1.00", sumTotal: "1.20" });
});

Deno.test("window sums stay exact past every bound a single record has", () => {
  let sums = noProducts();
  const biggest = validateProduct({ ...TV, price: "1000000000000", kdv: 1 });
  for (let i = 0; i < 2000; i++) sums = addProduct(sums, biggest);
  assert.deepEqual(sums, {
    records: 2000,
    sumPrice: "2000000000000000.00",
    sumTotal: "4000000000000000.00",
  });
});

Deno.test("hostile variants of products validate within bounds or are refused naming a field", () => {
  const random = seededRandom(3);
  const generated = Array.from(
    { length: 20 },
    () => generateProduct(random, Date.UTC(2025, 1, 16)),
  );
  const { accepted, refused } = assertValidatorHoldsUnderFire({
    valid: [TV, { ...TV, id: "sku-7", price: "19.99", kdv: "0.08" }, ...generated],
    validate: validateProduct,
    seed: 20250216,
    count: 3000,
    accepted: (p) => {
      assertPlainData(p, { maxText: 2000, multiline: ["description"] });
      for (const amount of [p.price, p.kdv, p.total]) {
        assert.match(amount, /^\d{1,16}(\.\d{1,18})?$/, "plain decimal text of bounded length");
      }
      assert.ok(Number.isFinite(p.ts));
    },
  });
  assert.ok(accepted > 100 && refused > 1000, `${accepted} accepted, ${refused} refused`);
});
