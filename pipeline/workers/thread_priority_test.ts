import assert from "node:assert/strict";
import { startWorker } from "./protocol.ts";
import { threadNice } from "./thread_priority.ts";

const PROBE = new URL("../testing/nice_probe_worker.ts", import.meta.url);
const linux = threadNice() !== undefined;

Deno.test({
  name:
    "worker nice: a worker started with a nice value runs at it; the starting thread keeps its own",
  ignore: !linux,
  async fn() {
    const before = threadNice()!;
    const nice = Math.min(19, before + 7);
    assert.equal(await startWorker(PROBE, null, { nice }).done, nice);
    assert.equal(threadNice(), before);
  },
});

Deno.test({
  name: "worker nice: a worker started without one runs at the starting thread's",
  ignore: !linux,
  async fn() {
    assert.equal(await startWorker(PROBE, null).done, threadNice());
  },
});

Deno.test({
  name: "worker nice: a worker asked for less than the starting thread's nice value keeps that",
  ignore: !linux || threadNice() === 0,
  async fn() {
    const before = threadNice()!;
    assert.equal(await startWorker(PROBE, null, { nice: before - 1 }).done, before);
  },
});
