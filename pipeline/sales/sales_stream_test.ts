import assert from "node:assert/strict";
import { addMinuteSale, type MinuteSales } from "./sales_stream.ts";
import type { Sale } from "./sales.ts";

const sale = (totalCents: number) => ({ totalCents }) as Sale;

Deno.test("a minute's revenue adds exactly past 2^53 cents and stays JSON text", () => {
  let minute: MinuteSales = { cents: "0", count: 0 };
  for (let i = 0; i < 1001; i++) minute = addMinuteSale(minute, sale(9_999_999_999_999));
  assert.deepEqual(minute, { cents: "10009999999998999", count: 1001 });
  assert.equal(JSON.parse(JSON.stringify(minute)).cents, "10009999999998999");
});

Deno.test("a checkpoint written before holds cents as a number and adds on the same", () => {
  const old = { cents: 1500, count: 2 } as unknown as MinuteSales;
  assert.deepEqual(addMinuteSale(old, sale(250)), { cents: "1750", count: 3 });
});
