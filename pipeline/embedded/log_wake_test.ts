import assert from "node:assert/strict";
import { LogWake, logWakeMemory } from "./log_wake.ts";

/** Two logs of one file on fresh memory: one appends, one reads. */
function logs() {
  const memory = new SharedArrayBuffer(logWakeMemory().byteLength);
  return {
    writer: new LogWake("/data/log.db", memory),
    reader: new LogWake("/data/log.db", memory),
  };
}

/** How long `waiting` took to resolve, ms. */
async function took(waiting: Promise<void>): Promise<number> {
  const started = performance.now();
  await waiting;
  return performance.now() - started;
}

Deno.test("log wake: an append ends the waits of its topic's readers at once and not those of other topics", async () => {
  const { writer, reader } = logs();
  const users = reader.watch(["users"]);
  const sales = reader.watch(["sales"]);
  const never = new AbortController();
  const usersWait = took(users.wait(60_000, never.signal));
  const salesWait = took(sales.wait(300, never.signal));
  setTimeout(() => writer.announce("users"), 20);
  assert.ok(await usersWait < 1_000, "the users' reader went on at the append");
  assert.ok(await salesWait >= 290, "the sales' reader waited its whole poll");
  reader.close();
  writer.close();
});

Deno.test("log wake: an append between a reader's mark and its wait is not missed", async () => {
  const { writer, reader } = logs();
  const watch = reader.watch(["users"]);
  const never = new AbortController();
  watch.mark();
  writer.announce("users");
  assert.ok(await took(watch.wait(60_000, never.signal)) < 1_000);
  // Marked after the append: the next wait waits.
  watch.mark();
  assert.ok(await took(watch.wait(100, never.signal)) >= 90);
  reader.close();
  writer.close();
});

Deno.test("log wake: logs of another file are not woken; a wait ends when its signal aborts or its log closes", async () => {
  const { writer, reader } = logs();
  const memory = new SharedArrayBuffer(logWakeMemory().byteLength);
  const otherFile = new LogWake("/data/other.db", memory);
  const watch = new LogWake("/data/log.db", memory).watch(["users"]);
  const never = new AbortController();
  const waiting = took(watch.wait(300, never.signal));
  otherFile.announce("users");
  assert.ok(await waiting >= 290);

  const stop = new AbortController();
  const stopped = took(reader.watch(["users"]).wait(60_000, stop.signal));
  stop.abort();
  assert.ok(await stopped < 1_000);
  const closing = took(reader.watch(["users"]).wait(60_000, never.signal));
  reader.close();
  assert.ok(await closing < 1_000);
  writer.close();
  otherFile.close();
});

Deno.test("log wake: a closed log gives up its reader slot; too many reading at once is a clear error", () => {
  const memory = new SharedArrayBuffer(logWakeMemory().byteLength);
  for (let i = 0; i < 500; i++) {
    const log = new LogWake("/data/log.db", memory);
    log.watch(["users"]);
    log.close();
  }
  const open = Array.from({ length: 64 }, () => new LogWake("/data/log.db", memory));
  for (const log of open) log.watch(["users"]);
  assert.throws(
    () => new LogWake("/data/log.db", memory).watch(["users"]),
    /more than 64 embedded logs read at once/,
  );
  for (const log of open) log.close();
});
