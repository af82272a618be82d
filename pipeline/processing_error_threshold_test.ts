import assert from "node:assert/strict";
import { minimumSample, ProcessingErrorThreshold } from "./processing_error_threshold.ts";

const DEFAULT = { share: 0.05, windowMs: 60_000 };
const T0 = Date.UTC(2026, 0, 1);

Deno.test("one processing error among a partition's first three records does not stop it", () => {
  const threshold = new ProcessingErrorThreshold(DEFAULT);
  threshold.passed(T0);
  assert.equal(threshold.failed(T0 + 1), false);
  threshold.passed(T0 + 2);
  for (let i = 0; i < 100; i++) threshold.passed(T0 + 3 + i);
  assert.equal(threshold.failed(T0 + 200), false, "2 of 104 is under 5 %");
});

Deno.test("when every record fails, the partition stops at the minimum sample", () => {
  const threshold = new ProcessingErrorThreshold(DEFAULT);
  const stops = Array.from({ length: 25 }, (_, i) => threshold.failed(T0 + i));
  assert.equal(minimumSample(0.05), 20);
  assert.equal(stops.indexOf(true), 19, "records 1 to 19 are dead-lettered, the 20th stops it");
});

Deno.test("more than the share of the window's records failing stops it; the share itself does not", () => {
  const threshold = new ProcessingErrorThreshold(DEFAULT);
  for (let i = 0; i < 19; i++) threshold.passed(T0 + i);
  assert.equal(threshold.failed(T0 + 19), false, "1 of 20 is exactly 5 %");
  for (let i = 0; i < 19; i++) threshold.passed(T0 + 20 + i);
  assert.equal(threshold.failed(T0 + 39), false, "2 of 40 is exactly 5 %");
  assert.equal(threshold.failed(T0 + 40), true, "3 of 41 is more than 5 %");
});

Deno.test("records older than the window no longer count", () => {
  const threshold = new ProcessingErrorThreshold(DEFAULT);
  for (let i = 0; i < 10; i++) threshold.failed(T0 + i);
  // A minute later those ten failures have left the window: 19 good records and one failure remain.
  for (let i = 0; i < 19; i++) threshold.passed(T0 + 61_000 + i);
  assert.equal(threshold.failed(T0 + 61_100), false);
});

Deno.test("a share of 0 stops at the first processing error; a share of 1 never stops", () => {
  assert.equal(new ProcessingErrorThreshold({ share: 0, windowMs: 60_000 }).failed(T0), true);
  const never = new ProcessingErrorThreshold({ share: 1, windowMs: 60_000 });
  assert.ok(Array.from({ length: 200 }, (_, i) => never.failed(T0 + i)).every((stop) => !stop));
  assert.equal(minimumSample(0.001), 1000, "one failure alone stays within a share of 0.1 %");
});
