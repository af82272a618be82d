import assert from "node:assert/strict";
import {
  formatClock,
  formatCount,
  formatDecimalText,
  formatDuration,
  formatLatency,
  formatMoney,
  formatMonth,
  formatRate,
  formatRating,
  formatShare,
  KPI_MAX_CHARS,
  kpiText,
} from "./format.ts";

Deno.test("money always has two decimals and thousands separators", () => {
  assert.equal(formatMoney(0), "0.00");
  assert.equal(formatMoney(12345.6), "12,345.60");
  assert.equal(formatMoney(1234567.891), "1,234,567.89");
  assert.equal(formatMoney(0.005), "0.01");
});

Deno.test("decimal text is grouped exactly, without a float", () => {
  assert.equal(formatDecimalText("1234567.5"), "1,234,567.50");
  assert.equal(formatDecimalText("90071992547409931.07"), "90,071,992,547,409,931.07");
  assert.equal(formatDecimalText("0.50"), "0.50");
  assert.equal(formatDecimalText("-1000"), "-1,000.00");
  assert.equal(formatDecimalText("007.10"), "7.10");
  assert.equal(formatDecimalText("n/a"), "n/a", "text that is not a decimal stays as it is");
});

Deno.test("counts, rates, ratings, shares, months and clock times", () => {
  assert.equal(formatCount(1234567), "1,234,567");
  assert.equal(formatRate(12), "12.0");
  assert.equal(formatRate(0.25), "0.3");
  assert.equal(formatRating(4.256), "4.26");
  assert.equal(formatShare(1, 3), "33%");
  assert.equal(formatShare(5, 0), "0%");
  assert.equal(formatMonth("2025-03"), "Mar 2025");
  assert.equal(formatMonth("2025-13"), "2025-13");
  assert.equal(formatClock(Date.UTC(2025, 1, 16, 7, 28, 5)), "07:28:05");
});

Deno.test("session durations in minutes and whole seconds", () => {
  assert.equal(formatDuration(0), "0 s");
  assert.equal(formatDuration(44_600), "45 s");
  assert.equal(formatDuration(125_000), "2 min 05 s");
  assert.equal(formatDuration(59_600), "1 min 00 s", "rounded before it is split");
});

Deno.test("latencies in ms below a second, in seconds above", () => {
  assert.equal(formatLatency(7.6), "8 ms");
  assert.equal(formatLatency(999), "999 ms");
  assert.equal(formatLatency(1_240), "1.2 s");
  assert.equal(formatLatency(75_300), "75 s");
});

Deno.test("a KPI figure too long for its card shows compact, short ones exactly", () => {
  assert.deepEqual(kpiText("12,345.60", 12345.6), { shown: "12,345.60", compact: false });
  assert.deepEqual(kpiText("123,456.78", 123456.78), { shown: "123.5K", compact: true });
  assert.deepEqual(kpiText("98,765,432.10", 98765432.1), { shown: "98.8M", compact: true });
  assert.deepEqual(kpiText("1,234,567,890", 1234567890), { shown: "1.2B", compact: true });
  assert.deepEqual(kpiText("-1,234,567.00", -1234567), { shown: "-1.2M", compact: true });
  for (const value of [1e6, 5e8, 9.99e11, 1.5e14]) {
    const { shown } = kpiText(formatMoney(value), value);
    assert.ok(shown.length <= KPI_MAX_CHARS, `${value} shows as "${shown}"`);
  }
});
