import assert from "node:assert/strict";
import { openDatabase, transaction } from "./sqlite.ts";
import {
  BUSY_PAGES,
  CHECKPOINT_PACE,
  grownPages,
  nextWait,
  startWalCheckpoints,
} from "./wal_checkpoints.ts";
import { delay } from "../async.ts";

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

/**
 * Writes 6,000 pages of rows through a writer that leaves checkpoints to the
 * background, a transaction at a time with a pause between them as a
 * processor's batches have; returns the largest the WAL file grew.
 */
async function writeThrough(path: string): Promise<number> {
  const db = openDatabase(path, { checkpoints: "background" });
  try {
    db.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO rows (body) VALUES (?)");
    const body = "x".repeat(3500);
    let largest = 0;
    for (let batch = 0; batch < 60; batch++) {
      transaction(db, () => {
        for (let i = 0; i < 100; i++) insert.run(body);
      });
      largest = Math.max(largest, Deno.statSync(`${path}-wal`).size);
      await delay(5);
    }
    assert.equal((db.prepare("SELECT COUNT(*) AS n FROM rows").get() as { n: number }).n, 6000);
    return largest;
  } finally {
    db.close();
  }
}

Deno.test("a writer that leaves checkpoints to the thread keeps a small WAL while the thread runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-wal-" });
  try {
    // The same writes without the thread: the writer's fallback lets its WAL grow to 16 MB.
    const alone = await writeThrough(`${dir}/alone.db`);
    assert.ok(alone > 16e6, `without the thread the WAL grew to ${alone} bytes`);

    const path = `${dir}/checkpointed.db`;
    openDatabase(path, { checkpoints: "background" }).close();
    const errors: string[] = [];
    const thread = startWalCheckpoints([path], {
      pace: { minMs: 10, maxMs: 20 },
      onError: (message) => errors.push(message),
    });
    let largest: number;
    try {
      await thread.ready;
      largest = await writeThrough(path);
    } finally {
      await thread.stop();
    }
    assert.deepEqual(errors, []);
    assert.ok(largest < 12e6, `with the thread the WAL grew to ${largest} bytes`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a checkpointer that cannot open its file reports it and stops", async () => {
  const errors: string[] = [];
  const thread = startWalCheckpoints(["/nonexistent-dir/streamboard.db"], {
    onError: (message) => errors.push(message),
  });
  await thread.stop();
  assert.equal(errors.length, 1);
  assert.match(errors[0], /unable to open/);
});
