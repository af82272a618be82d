import assert from "node:assert/strict";
import { connectWithRetry, openPipeline, startCheckpoints } from "./wiring.ts";
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
