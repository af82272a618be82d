import assert from "node:assert/strict";
import { BUSY_PAGES, CHECKPOINT_PACE, grownPages, nextWait } from "./wal_checkpoints.ts";

Deno.test("the checkpointer copies every 100 ms while a log grows fast and backs off to 5 s when idle", () => {
  const { minMs, maxMs } = CHECKPOINT_PACE;
  assert.equal(nextWait(maxMs, BUSY_PAGES, CHECKPOINT_PACE), minMs);
  assert.equal(nextWait(minMs, BUSY_PAGES - 1, CHECKPOINT_PACE), minMs * 2);
  let wait = minMs;
  for (let copies = 0; copies < 20; copies++) wait = nextWait(wait, 3, CHECKPOINT_PACE);
  assert.equal(wait, maxMs);
  assert.equal(grownPages(100, 400), 300);
  assert.equal(grownPages(4000, 30), 30, "a log started again meanwhile grew by its length");
  assert.equal(grownPages(10, -1), 0, "-1: not in WAL mode");
});
