import assert from "node:assert/strict";
import { boundedReads, LastKnown, lastKnownPages } from "./last_known.ts";
import { MissingTopicError, UnavailableError } from "../pipeline/errors.ts";
import { HttpError } from "./http_error.ts";

/** A port whose `count` answers `n`, hangs, or fails with a driver's error, as told. */
function port(state: { mode: "up" | "hang" | "refuse" | "bug"; n: number }) {
  return {
    count: (): Promise<number> => {
      if (state.mode === "up") return Promise.resolve(state.n);
      if (state.mode === "hang") return new Promise(() => {});
      if (state.mode === "bug") return Promise.reject(new MissingTopicError("t", "no topic"));
      return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:9042"));
    },
    all: () => "not a promise",
    close: () => new Promise<void>(() => {}),
  };
}

Deno.test("a read that does not answer in time is an outage naming the server", async () => {
  const state = { mode: "hang" as const, n: 1 };
  const bounded = boundedReads(port(state), { server: "Cassandra", timeoutMs: 30 });
  const started = performance.now();
  const error = await bounded.count().catch((e) => e);
  assert.ok(error instanceof UnavailableError);
  assert.equal(error.service, "Cassandra");
  assert.match(error.message, /did not answer within 30 ms/);
  assert.ok(performance.now() - started < 500);
});

Deno.test("a driver's error becomes an outage of the server; a classified error passes unchanged", async () => {
  const state: { mode: "up" | "hang" | "refuse" | "bug"; n: number } = { mode: "refuse", n: 1 };
  const bounded = boundedReads(port(state), { server: "MongoDB", timeoutMs: 1000 });
  const refused = await bounded.count().catch((e) => e);
  assert.ok(refused instanceof UnavailableError);
  assert.equal(refused.service, "MongoDB");
  assert.match(refused.message, /ECONNREFUSED/);
  state.mode = "bug";
  await assert.rejects(bounded.count(), MissingTopicError);
  state.mode = "up";
  assert.equal(await bounded.count(), 1);
  assert.equal(bounded.all(), "not a promise");
});

Deno.test("a store's streamed documents: a driver's error or a step too late is an outage of the server", async () => {
  async function* documents(fail: "refuse" | "hang") {
    yield 1;
    if (fail === "hang") await new Promise(() => {});
    throw new Error("connect ECONNREFUSED 127.0.0.1:27017");
  }
  for (const fail of ["refuse", "hang"] as const) {
    const bounded = boundedReads({ all: () => documents(fail) }, {
      server: "MongoDB",
      timeoutMs: 30,
    });
    const seen: number[] = [];
    const error = await (async () => {
      for await (const n of bounded.all()) seen.push(n);
    })().catch((e) => e);
    assert.deepEqual(seen, [1], "what came before the failure is seen");
    assert.ok(error instanceof UnavailableError, `${fail}: ${error}`);
    assert.equal(error.service, "MongoDB");
  }
});

Deno.test("during an outage the last snapshot is served at once, marked degraded with the server and since when; fresh again after", async () => {
  const state: { mode: "up" | "hang" | "refuse" | "bug"; n: number } = { mode: "up", n: 1 };
  const bounded = boundedReads(port(state), { server: "Cassandra", timeoutMs: 50 });
  let clock = 10_000;
  const known = new LastKnown(async () => ({ users: await bounded.count() }), { now: () => clock });
  assert.deepEqual(await known.get(), { users: 1 });
  state.mode = "hang";
  const first = await known.get();
  assert.equal(first.users, 1);
  assert.equal(first.degraded?.server, "Cassandra");
  assert.equal(first.degraded?.since, 10_000);
  clock = 12_000;
  const started = performance.now();
  const second = await known.get();
  assert.ok(performance.now() - started < 20, "answered without waiting on the server");
  assert.equal(second.degraded?.since, 10_000, "the outage's start is kept");
  state.mode = "up";
  state.n = 5;
  // The background read started during the outage times out; the next call reads afresh.
  await new Promise((resolve) => setTimeout(resolve, 80));
  await known.get();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(await known.get(), { users: 5 });
});

Deno.test("a page that never read anything answers 503 naming the server that is down", async () => {
  const state: { mode: "up" | "hang" | "refuse" | "bug"; n: number } = { mode: "refuse", n: 1 };
  const bounded = boundedReads(port(state), { server: "MongoDB", timeoutMs: 50 });
  const known = new LastKnown(async () => ({ users: await bounded.count() }), { now: Date.now });
  const error = await known.get().catch((e) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.status, 503);
  assert.match(error.message, /MongoDB does not answer/);
});

Deno.test("a bug in a read is not hidden behind the last snapshot", async () => {
  const state: { mode: "up" | "hang" | "refuse" | "bug"; n: number } = { mode: "up", n: 1 };
  const bounded = boundedReads(port(state), { server: "MongoDB", timeoutMs: 50 });
  const pages = lastKnownPages({
    users: { liveTopics: ["t"], read: async () => ({ users: await bounded.count() }) },
  }, { now: Date.now });
  assert.deepEqual(await pages.users.read(), { users: 1 });
  assert.deepEqual(pages.users.liveTopics, ["t"]);
  state.mode = "bug";
  await assert.rejects(pages.users.read(), MissingTopicError);
});

Deno.test("a read slower than the budget is answered at once with the last snapshot; the next caller gets the fresh one", async () => {
  let reads = 0;
  let answer = Promise.withResolvers<number>();
  const known = new LastKnown(async () => {
    reads++;
    return { users: await answer.promise };
  }, { now: Date.now, budgetMs: 20 });
  answer.resolve(1);
  assert.deepEqual(await known.get(), { users: 1 });
  answer = Promise.withResolvers<number>();
  const started = performance.now();
  const [first, second] = await Promise.all([known.get(), known.get()]);
  assert.ok(performance.now() - started < 400, "answered after the budget, not the read");
  assert.deepEqual(first, { users: 1 }, "not marked degraded: the server may only be slow");
  assert.deepEqual(second, { users: 1 });
  assert.equal(reads, 2, "callers during a read share it");
  answer.resolve(7);
  await new Promise((resolve) => setTimeout(resolve, 0));
  answer = Promise.withResolvers<number>();
  answer.resolve(8);
  assert.deepEqual(await known.get(), { users: 8 });
  assert.equal(reads, 3);
});

Deno.test("the first read of an outage does not hold the page for the read's time limit", async () => {
  const state: { mode: "up" | "hang" | "refuse" | "bug"; n: number } = { mode: "up", n: 3 };
  const bounded = boundedReads(port(state), { server: "Cassandra", timeoutMs: 1_000 });
  const known = new LastKnown(async () => ({ users: await bounded.count() }), {
    now: Date.now,
    budgetMs: 30,
  });
  await known.get();
  state.mode = "hang";
  const started = performance.now();
  assert.deepEqual(await known.get(), { users: 3 });
  assert.ok(performance.now() - started < 500, "served after the budget, not the 1 s limit");
  await new Promise((resolve) => setTimeout(resolve, 1_050));
  assert.equal((await known.get()).degraded?.server, "Cassandra", "marked once the limit passed");
});
