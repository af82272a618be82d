import assert from "node:assert/strict";
import { nextUpdateAt, UPDATE_PACING } from "./update_pacing.ts";

const pacing = { ...UPDATE_PACING, minGapMs: 20, maxGapMs: 250, costFactor: 10 };

Deno.test("the first update of a page goes out at once", () => {
  assert.equal(nextUpdateAt(undefined, pacing), -Infinity);
});

Deno.test("after a cheap update the next may follow after the least gap, not a fixed 250 ms", () => {
  assert.equal(nextUpdateAt({ at: 1000, costMs: 1 }, pacing), 1020);
});

Deno.test("under a burst the gap grows with what an update cost, so updates take a bounded share", () => {
  assert.equal(nextUpdateAt({ at: 1000, costMs: 8 }, pacing), 1080);
});

Deno.test("however costly an update, the next follows within the longest gap", () => {
  assert.equal(nextUpdateAt({ at: 1000, costMs: 400 }, pacing), 1250);
});
