import assert from "node:assert/strict";
import { measureFanoutFloor } from "./fanout_floor.ts";

Deno.test("the fan-out floor gets every frame to every socket and times each from send to read", async () => {
  const floor = await measureFanoutFloor({ viewers: 200, bytes: 1_500, rounds: 4, gapMs: 20 });
  assert.equal(floor.received, 800, "every socket read every round's frame");
  assert.ok(floor.p50Ms >= 0 && floor.p50Ms <= floor.p99Ms && floor.p99Ms <= floor.maxMs);
  assert.ok(floor.maxMs < 5_000, `a frame on loopback took ${floor.maxMs} ms`);
  assert.ok(floor.writeMs.min > 0 && floor.writeMs.min <= floor.writeMs.max);
});
