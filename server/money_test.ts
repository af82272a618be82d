import assert from "node:assert/strict";
import { averageCents, centsAmount, centsText } from "./money.ts";

Deno.test("cents become exact decimal text, also far past 2^53", () => {
  assert.equal(centsText(0n), "0.00");
  assert.equal(centsText(5n), "0.05");
  assert.equal(centsText(123456n), "1234.56");
  assert.equal(centsText(-5n), "-0.05");
  assert.equal(centsText(2n ** 64n + 1n), "184467440737095516.17");
  assert.equal(centsText(10n ** 30n + 99n), "10000000000000000000000000000.99");
});

Deno.test("a lossy amount for charts is within a float of the exact one", () => {
  assert.equal(centsAmount(123456n), 1234.56);
  assert.ok(Number.isFinite(centsAmount(10n ** 300n)));
});

Deno.test("an average ticket rounds half up to the cent, exactly", () => {
  assert.equal(averageCents(0n, 0n), 0n);
  assert.equal(averageCents(10n, 4n), 3n); // 2.5 → 3
  assert.equal(averageCents(10n, 3n), 3n); // 3.33 → 3
  assert.equal(averageCents(-10n, 4n), -3n);
  const big = 3n * (2n ** 70n) + 1n;
  assert.equal(averageCents(big, 3n), 2n ** 70n);
});
