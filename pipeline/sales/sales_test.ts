import { RecordError } from "../record_error.ts";
import assert from "node:assert/strict";
import {
  CATALOGUE,
  CITIES,
  PAYMENT_METHODS,
  saleKey,
  salesGenerator,
  validateSale,
} from "./sales.ts";
import type { SaleRecord } from "./sales.ts";
import { InvalidFieldError } from "../validation.ts";
import { seededRandom } from "../random.ts";
import { assertPlainData, assertValidatorHoldsUnderFire } from "../testing/hostile_json.ts";

const NOW = Date.UTC(2025, 2, 10, 12, 0, 0);
const DAY = 86_400_000;

/** Which sales `sales` generates. */
interface SalesRun {
  /** Seed of the generator's randomness. */
  seed: number;
  /** Sales generated. */
  count: number;
  /** Days of history the generator spreads sales over; none by default. */
  historyDays?: number;
  /** The clock at the first sale, ms since the epoch; `NOW` by default. */
  start?: number;
}

/** `count` sales of a fresh generator, the clock moving one second per sale from `start`. */
function sales({ seed, count, historyDays = 0, start = NOW }: SalesRun): SaleRecord[] {
  const random = seededRandom(seed);
  const generate = salesGenerator(historyDays);
  return Array.from({ length: count }, (_, i) => generate(random, start + i * 1000));
}

/** Integer cents of a money amount written with at most two decimals. */
function toCents(amount: number): number {
  const [whole, fraction = ""] = String(amount).split(".");
  assert.ok(fraction.length <= 2, `${amount} has more than two decimals`);
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

const GOOD = {
  id: "5b3c0e3a-2f1d-4c47-9a55-0d7e9c1f2a10",
  product: "Laptop",
  category: "Electronics",
  quantity: 3,
  unit_price: 1079.1,
  total: 3237.3,
  payment_method: "credit_card",
  city: "Berlin",
  country: "Germany",
  latitude: 52.52,
  longitude: 13.405,
  timestamp: "2025-02-16T07:29:49Z",
};

function rejects(value: unknown, field: string | null, message: RegExp) {
  assert.throws(() => validateSale(value), (error: unknown) => {
    assert.ok(error instanceof RecordError, "bad sales are refused with a RecordError");
    if (field !== null) {
      assert.ok(error instanceof InvalidFieldError);
      assert.equal(error.path, field);
    }
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("a well-formed sale validates to exact cents and its event time", () => {
  assert.deepEqual(validateSale(GOOD), {
    id: GOOD.id,
    product: "Laptop",
    category: "Electronics",
    quantity: 3,
    unitPrice: "1079.1",
    totalCents: 323_730,
    paymentMethod: "credit_card",
    city: "Berlin",
    country: "Germany",
    latitude: 52.52,
    longitude: 13.405,
    ts: Date.UTC(2025, 1, 16, 7, 29, 49),
  });
});

Deno.test("money may come as numeric text and a zone-less timestamp is UTC", () => {
  const sale = validateSale({
    ...GOOD,
    quantity: 3,
    unit_price: "0.10",
    total: "0.30",
    timestamp: "2025-02-16 07:29:49",
  });
  assert.equal(sale.totalCents, 30, "0.1 × 3 is 0.30 exactly, not 0.30000000000000004");
  assert.equal(sale.ts, Date.UTC(2025, 1, 16, 7, 29, 49));
});

Deno.test("generated sales always validate and their total is quantity × unit price to the cent", () => {
  const generated = sales({ seed: 2025, count: 3000 });
  for (const record of generated) {
    const sale = validateSale(structuredClone(record));
    const expected = record.quantity * toCents(record.unit_price);
    assert.equal(toCents(record.total), expected, `${record.quantity} × ${record.unit_price}`);
    assert.equal(sale.totalCents, expected);
    assert.ok(PAYMENT_METHODS.includes(record.payment_method as typeof PAYMENT_METHODS[number]));
    const item = CATALOGUE.find((c) => c.product === record.product);
    assert.ok(item, `${record.product} is in the catalogue`);
    assert.equal(record.category, item.category);
    const place = CITIES.find((c) => c.city === record.city);
    assert.ok(place, `${record.city} is a known city`);
    assert.deepEqual(
      [record.country, record.latitude, record.longitude],
      [place.country, place.latitude, place.longitude],
    );
    assert.equal(saleKey(record), record.id, "sales are keyed by their id");
  }
  assert.equal(new Set(generated.map((s) => s.id)).size, generated.length, "ids are unique");
  assert.ok(generated.some((s) => s.quantity > 1), "some sales are of several items");
});

Deno.test("the same seed gives the same sales, another seed other sales", () => {
  assert.deepEqual(
    sales({ seed: 7, count: 200, historyDays: 30 }),
    sales({ seed: 7, count: 200, historyDays: 30 }),
  );
  assert.notDeepEqual(
    sales({ seed: 7, count: 200, historyDays: 30 }),
    sales({ seed: 8, count: 200, historyDays: 30 }),
  );
});

Deno.test("with history the first sale is that many days back and time moves forward to now, never past it", () => {
  const days = 2;
  const generated = sales({ seed: 11, count: 2000, historyDays: days });
  const times = generated.map((s) => Date.parse(s.timestamp));
  assert.equal(times[0], NOW - days * DAY, "the first sale is exactly `historyDays` back");
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i] >= times[i - 1], `sale ${i} is not earlier than sale ${i - 1}`);
    assert.ok(times[i] <= NOW + i * 1000, `sale ${i} is not later than the clock it was made at`);
  }
  const last = generated.length - 1;
  assert.equal(times[last], NOW + last * 1000, "history catches up with the present");
});

Deno.test("without history sales carry the current time", () => {
  const generated = sales({ seed: 3, count: 5, historyDays: 0 });
  assert.deepEqual(
    generated.map((s) => s.timestamp),
    generated.map((_, i) => new Date(NOW + i * 1000).toISOString()),
  );
});

Deno.test("a sale missing a field is refused naming that field", () => {
  for (const field of ["id", "product", "city", "quantity", "unit_price", "total", "timestamp"]) {
    const record: Record<string, unknown> = { ...GOOD };
    delete record[field];
    rejects(record, field, new RegExp(`\`${field}\` must be .*, got nothing`));
  }
});

Deno.test("a price that is not a number is refused", () => {
  rejects(
    { ...GOOD, unit_price: "abc" },
    "unit_price",
    /`unit_price` must be a decimal number .*, got "abc"/,
  );
  rejects(
    { ...GOOD, unit_price: -1, total: -3 },
    "unit_price",
    /`unit_price` must be a decimal number from 0 to 100000000000, got -1/,
  );
});

Deno.test("money written with an exponent in text is refused, not expanded", () => {
  rejects({ ...GOOD, unit_price: "1e999999" }, "unit_price", /plain decimal text/);
  rejects({ ...GOOD, total: "3.2373e3" }, "total", /plain decimal text/);
  rejects({ ...GOOD, unit_price: 1e300 }, "unit_price", /below 10\^15/);
});

Deno.test("one sale's total is at most 10^11, so its cents stay exact numbers", () => {
  const biggest = validateSale({
    ...GOOD,
    quantity: 1_000_000,
    unit_price: 100_000,
    total: 100_000_000_000,
  });
  assert.equal(biggest.totalCents, 10_000_000_000_000);
  assert.ok(Number.isSafeInteger(biggest.totalCents));
  rejects(
    { ...GOOD, quantity: 1_000_000, unit_price: 100_001, total: 100_001_000_000 },
    "total",
    /`total` must be a decimal number from 0 to 100000000000/,
  );
  rejects(
    { ...GOOD, quantity: 1_000_000, unit_price: 100_001, total: 100_000_000_000 },
    "total",
    /quantity × unit_price = 100001000000.00/,
  );
  rejects({ ...GOOD, quantity: 1_000_001 }, "quantity", /from 1 to 1000000/);
});

Deno.test("a control character in a name is refused, so it cannot split a key into two", () => {
  // Aggregate keys join product and category with U+001F: "Laptop\u001fPhones" would read
  // as product "Laptop" of category "Phones" on the page.
  rejects(
    { ...GOOD, product: "Laptop\u001fPhones" },
    "product",
    /`product` must be a string without control characters .*, got U\+001F at character 7 of "Laptop\\u001fPhones"/,
  );
  for (const field of ["id", "product", "category", "city", "country"]) {
    for (const bad of ["a\u0000b", "a\nb", "\tx", "x\u007f", "x\u0085", "x\ud800"]) {
      rejects(
        { ...GOOD, [field]: bad },
        field,
        new RegExp(`\`${field}\` must be a string without`),
      );
    }
  }
});

Deno.test("text longer than its limit is refused with the limit and the length", () => {
  rejects(
    { ...GOOD, product: "x".repeat(201) },
    "product",
    /`product` must be a non-empty string of at most 200 characters, got 201 characters/,
  );
  rejects({ ...GOOD, id: "x".repeat(129) }, "id", /at most 128 characters/);
  assert.equal(validateSale({ ...GOOD, product: "x".repeat(200) }).product.length, 200);
});

Deno.test("text is kept exactly as sent: nothing is trimmed or normalised", () => {
  const sale = validateSale({
    ...GOOD,
    id: " a-1 ",
    product: "Caf\u00e9 ",
    city: "Sa\u0303o Paulo",
  });
  assert.equal(sale.id, " a-1 ");
  assert.equal(sale.product, "Caf\u00e9 ");
  assert.equal(sale.city, "Sa\u0303o Paulo", "combining marks are text, not control characters");
});

Deno.test("a total that is not quantity × unit price is refused with the expected amount", () => {
  rejects(
    { ...GOOD, total: 3237.31 },
    "total",
    /`total` must be quantity × unit_price = 3237\.30, got 3237\.31/,
  );
  rejects({ ...GOOD, quantity: 2 }, "total", /= 2158\.20, got 3237\.3/);
});

Deno.test("an unknown payment method is refused", () => {
  rejects(
    { ...GOOD, payment_method: "bitcoin" },
    "payment_method",
    /`payment_method` must be cash, credit_card, debit_card, mobile, got "bitcoin"/,
  );
});

Deno.test("coordinates outside the globe are refused", () => {
  rejects(
    { ...GOOD, latitude: 91 },
    "latitude",
    /`latitude` must be a number from -90 to 90, got 91/,
  );
  rejects(
    { ...GOOD, longitude: -180.5 },
    "longitude",
    /`longitude` must be a number from -180 to 180/,
  );
});

Deno.test("a timestamp that is not a date is refused", () => {
  rejects(
    { ...GOOD, timestamp: "yesterday" },
    "timestamp",
    /`timestamp` must be a timestamp .*, got "yesterday"/,
  );
  rejects({ ...GOOD, timestamp: "2025-02-30 10:00:00" }, "timestamp", /got "2025-02-30 10:00:00"/);
});

Deno.test("a quantity that is not a positive whole number is refused", () => {
  rejects({ ...GOOD, quantity: 0, total: 0 }, "quantity", /`quantity` must be an integer from 1/);
  rejects({ ...GOOD, quantity: 1.5, total: 1618.65 }, "quantity", /`quantity` must be an integer/);
});

Deno.test("a sale that is not a JSON object is refused", () => {
  for (const value of [null, [], "sale", 42, undefined]) {
    rejects(value, "(record)", /`\(record\)` must be a JSON object/);
  }
});

Deno.test("a sale without an id has no partitioning key", () => {
  assert.equal(saleKey({ ...GOOD, id: "" }), null);
  assert.equal(saleKey({ ...GOOD, id: 7 }), null);
  assert.equal(saleKey(null), null);
});

Deno.test("hostile variants of sales validate within bounds or are refused naming a field", () => {
  const { accepted, refused } = assertValidatorHoldsUnderFire({
    valid: [GOOD, ...sales({ seed: 5, count: 20 })],
    validate: validateSale,
    seed: 20250216,
    count: 3000,
    accepted: (sale) => {
      assertPlainData(sale, { maxText: 200 });
      assert.ok(Number.isSafeInteger(sale.totalCents), `${sale.totalCents}`);
      assert.ok(sale.totalCents >= 0 && sale.totalCents <= 10 ** 13, `${sale.totalCents}`);
      assert.ok(sale.unitPrice.length <= 40, sale.unitPrice);
    },
  });
  assert.ok(accepted > 100 && refused > 1000, `${accepted} accepted, ${refused} refused`);
});
