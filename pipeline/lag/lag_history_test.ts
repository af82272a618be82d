import assert from "node:assert/strict";
import { LagHistory } from "./lag_history.ts";

Deno.test("lag history keeps the points of its span, oldest first", () => {
  const history = new LagHistory(10_000);
  for (let t = 0; t <= 15_000; t += 5_000) history.add({ t, lag: t / 1000, lagSeconds: 1 });
  assert.deepEqual(history.points().map((p) => p.t), [5_000, 10_000, 15_000]);
});

Deno.test("lag history ignores a point not newer than its last", () => {
  const history = new LagHistory(60_000);
  history.add({ t: 1000, lag: 5, lagSeconds: null });
  history.add({ t: 1000, lag: 7, lagSeconds: 2 });
  history.add({ t: 500, lag: 9, lagSeconds: 2 });
  assert.deepEqual(history.points(), [{ t: 1000, lag: 5, lagSeconds: null }]);
});
