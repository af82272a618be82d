import assert from "node:assert/strict";
import { nextUpdateAt, UPDATE_PACING } from "./update_pacing.ts";

const pacing = { ...UPDATE_PACING, minGapMs: 20, maxGapMs: 250, costFactor: 10 };

Deno.test("the first update of a page goes out at once", () => {
  assert.equal(nextUpdateAt(undefined, pacing), -Infinity);
});

Deno.test("after a cheap update the next may follow after the least gap, not a fixed 250 ms", () => {
  assert.equal(nextUpdateAt({ at: 1000, costMs: 1, fanOutMs: 0 }, pacing), 1020);
});

Deno.test("under a burst the gap grows with what an update cost, so updates take a bounded share", () => {
  assert.equal(nextUpdateAt({ at: 1000, costMs: 8, fanOutMs: 0 }, pacing), 1080);
});

Deno.test("however costly an update, the next follows within the longest gap", () => {
  assert.equal(nextUpdateAt({ at: 1000, costMs: 200, fanOutMs: 0 }, pacing), 1250);
  // One that took longer than the gap is followed as soon as it went out.
  assert.equal(nextUpdateAt({ at: 1000, costMs: 400, fanOutMs: 0 }, pacing), 1400);
});

Deno.test("a long fan-out is followed by as long a rest, so writing updates takes at most half the time", () => {
  // Read and published in 5 ms, taken by the viewers 300 ms later: the next starts 300 ms after that.
  assert.equal(nextUpdateAt({ at: 1000, costMs: 5, fanOutMs: 300 }, pacing), 1605);
  // A fan-out of a few ms (a handful of viewers) leaves the gap as it was.
  assert.equal(nextUpdateAt({ at: 1000, costMs: 1, fanOutMs: 2 }, pacing), 1020);
});
