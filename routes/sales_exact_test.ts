import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { SALES } from "../pipeline/sales/sales_stream.ts";
import { until } from "../pipeline/testing/until.ts";
import { formatDecimalText } from "../client/format.ts";
import { centsText } from "../server/money.ts";
import type { SalesSnapshot } from "../server/dashboards.ts";

/** The largest total a sale may carry (just under 10^13 cents), odd so no float sum can hit it. */
const LARGEST_TOTAL = "99999999999.99";
const LARGEST_CENTS = 9_999_999_999_999n;
/** Enough of them to pass 2^53 cents, where a float sum starts rounding. */
const SALES_COUNT = 1001;

function hugeSale(n: number) {
  return {
    id: `huge-${n}`,
    product: "Yacht",
    category: "Luxury",
    quantity: 1,
    unit_price: LARGEST_TOTAL,
    total: LARGEST_TOTAL,
    payment_method: "credit_card",
    city: "Monaco",
    country: "Monaco",
    latitude: 43.7384,
    longitude: 7.4246,
    timestamp: "2025-01-15T10:00:00Z",
  };
}

/** The data of the first `snapshot` event of an SSE response. */
async function firstSnapshot(res: Response): Promise<SalesSnapshot> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (;;) {
      const match = /event: snapshot\n(?:id: .*\n)?data: (.*)\n/.exec(text);
      if (match) return JSON.parse(match[1]) as SalesSnapshot;
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended before a snapshot");
      text += value;
    }
  } finally {
    await reader.cancel();
  }
}

Deno.test("sales of the largest total, past 2^53 cents in all: /sales, its SSE and its figures are exact", async () => {
  const f = await startFixture({ streams: { selected: ["sales"] } });
  try {
    const encoder = new TextEncoder();
    await f.pipeline.broker.produce(
      SALES.topic,
      Array.from({ length: SALES_COUNT }, (_, n) => ({
        key: `huge-${n}`,
        value: encoder.encode(JSON.stringify(hugeSale(n))),
      })),
    );
    await until(
      async () => (await f.state.pages.sales.read()).kpi.transactions >= SALES_COUNT,
      30_000,
    );

    const cents = LARGEST_CENTS * BigInt(SALES_COUNT);
    assert.ok(cents > 2n ** 53n);
    assert.notEqual(BigInt(Number(LARGEST_CENTS) * SALES_COUNT), cents, "a float sum rounds");
    const [total] = await f.pipeline.aggregates.totals(SALES.name, "all_revenue");
    assert.equal(total.value, cents);

    const snapshot = await f.state.pages.sales.read();
    assert.equal(snapshot.kpi.revenueText, centsText(cents));
    assert.equal(snapshot.kpi.revenueText, "100099999999989.99");
    assert.equal(snapshot.kpi.averageTicketText, LARGEST_TOTAL);
    assert.equal(snapshot.byProduct[0].revenueText, "100099999999989.99");
    assert.ok(Number.isFinite(snapshot.kpi.revenue));

    const page = await f.app.request("/sales");
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.ok(html.includes(formatDecimalText("100099999999989.99")), "the exact revenue shown");
    assert.ok(html.includes("100,099,999,999,989.99"));
    assert.ok(!html.includes("Infinity") && !html.includes("NaN"));

    const sse = await f.app.request("/api/stream/sales");
    assert.equal(sse.status, 200);
    assert.equal((await firstSnapshot(sse)).kpi.revenueText, "100099999999989.99");
  } finally {
    await f.close();
  }
});
