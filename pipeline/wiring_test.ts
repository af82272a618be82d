import assert from "node:assert/strict";
import { connectWithRetry, openPipeline, startCheckpoints, startWalCheckpoints } from "./wiring.ts";
import { openDatabase, transaction } from "./embedded/sqlite.ts";
import { delay } from "./async.ts";
import { DEFAULTS, withConfig } from "../config.ts";
import { silentLogger } from "./logger.ts";
import { STREAMS } from "./stream_registry.ts";

Deno.test("a service down at start is named once with where and what to run, then retried", async () => {
  const lines: string[] = [];
  const log = {
    info: (m: string) => lines.push(`info ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string) => lines.push(`error ${m}`),
  };
  let attempts = 0;
  const store = await connectWithRetry({
    what: "MongoDB",
    where: "mongodb://127.0.0.1:27017/",
    open: () => {
      attempts++;
      return attempts < 3
        ? Promise.reject(new Error("connect ECONNREFUSED"))
        : Promise.resolve("ok");
    },
    log,
    initialMs: 5,
  });
  assert.equal(store, "ok");
  assert.equal(attempts, 3);
  assert.equal(
    lines.filter((l) => l.startsWith("error")).length,
    1,
    "one line, not one per attempt",
  );
  assert.match(
    lines[0],
    /^error MongoDB is not reachable at mongodb:\/\/127\.0\.0\.1:27017\/ \(connect ECONNREFUSED\); start it \(`docker compose up -d`, or `deno task services:up`/,
  );
  assert.equal(lines.at(-1), "info MongoDB at mongodb://127.0.0.1:27017/ is up");
});

Deno.test("services mode with Kafka down: the app says so in one line and keeps retrying", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("../main.ts", import.meta.url).pathname],
    env: { STREAMBOARD_MODE: "services", KAFKA_BROKERS: "127.0.0.1:1", PORT: "0" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  for await (const chunk of child.stderr) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes("Retrying with backoff")) break;
  }
  child.kill("SIGKILL");
  clearTimeout(deadline);
  await child.stdout.cancel();
  await child.status;
  assert.match(
    text,
    /Kafka is not reachable at 127\.0\.0\.1:1 \(.+\); start it .*deno task services:up/,
  );
});

Deno.test("embedded mode checkpoints its files on a thread unless told to leave it to the commits", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-wiring-" });
  const errors: string[] = [];
  const log = { ...silentLogger, error: (m: string) => errors.push(m) };
  try {
    const config = withConfig(DEFAULTS, { stores: { dataDir } });
    assert.equal(config.stores.walCheckpoints, "background");
    const pipeline = await openPipeline({ config, registry: STREAMS, log });
    try {
      const thread = startCheckpoints(config, log);
      assert.ok(thread);
      await thread.ready;
      await thread.stop();
      const inline = withConfig(config, { stores: { walCheckpoints: "inline" } });
      assert.equal(startCheckpoints(inline, log), undefined);
      assert.equal(startCheckpoints(withConfig(config, { mode: "services" }), log), undefined);
    } finally {
      await pipeline.close();
    }
    assert.deepEqual(errors, []);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
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
      await delay(20);
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
