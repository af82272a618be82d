import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { partitionFor } from "../pipeline/partitioner.ts";
import { until } from "../pipeline/testing/until.ts";
import type { ConsoleMessage } from "../server/console_messages.ts";
import type { ConsoleTopic } from "../server/console_topics.ts";

const encoder = new TextEncoder();
const TOPIC = "console-test";
/** Recent enough for the log's retention, on a whole second. */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 60_000;
/** A key of each of the topic's two partitions. */
const KEYS = [0, 1].map((p) => {
  for (let i = 0;; i++) if (partitionFor(`k${i}`, 2) === p) return `k${i}`;
});

/** A fixture with `console-test`: 10 JSON records on partition 0 a second apart, one text record on 1. */
async function withMessages(fn: (f: Awaited<ReturnType<typeof startFixture>>) => Promise<void>) {
  const f = await startFixture();
  try {
    const broker = f.pipeline.broker;
    await broker.createTopics([{ name: TOPIC, partitions: 2 }]);
    await broker.produce(TOPIC, [
      ...Array.from({ length: 10 }, (_, i) => ({
        key: KEYS[0],
        value: encoder.encode(JSON.stringify({ n: i, city: i % 2 ? "Paris" : "Lyon" })),
        headers: { source: i < 5 ? "early" : "late" },
        timestamp: BASE + i * 1000,
      })),
      { key: KEYS[1], value: encoder.encode("plain text"), timestamp: BASE + 4500 },
    ]);
    await fn(f);
  } finally {
    await f.close();
  }
}

const get = async (f: Awaited<ReturnType<typeof startFixture>>, path: string) => {
  const res = await f.app.request(path);
  return { status: res.status, body: await res.json() };
};
const messages = (query: string) => `/api/console/topics/${TOPIC}/messages?${query}`;
const ns = (list: ConsoleMessage[]) =>
  list.map((m) => m.valueType === "json" ? (m.value as { n: number }).n : m.value);

Deno.test("GET /api/console/topics lists every topic with offsets, rate and retention", async () => {
  await withMessages(async (f) => {
    const { status, body } = await get(f, "/api/console/topics");
    assert.equal(status, 200);
    const topics = body as ConsoleTopic[];
    const mine = topics.find((t) => t.name === TOPIC)!;
    assert.deepEqual(mine.partitions, [
      { partition: 0, low: 0, high: 10 },
      { partition: 1, low: 0, high: 1 },
    ]);
    assert.equal(mine.retentionMs, f.state.config.broker.retentionHours * 3_600_000);
    assert.ok(topics.some((t) => t.name === USERS.topic), "the stream topics are listed");
    const rate = async () =>
      ((await get(f, "/api/console/topics")).body as ConsoleTopic[])
        .find((t) => t.name === TOPIC)?.inPerSecond;
    await until(async () => typeof (await rate()) === "number");
    // The 11 records above give at most 55/s over the least sampled time (200 ms).
    await f.pipeline.broker.produce(
      TOPIC,
      Array.from({ length: 1000 }, () => ({ key: "x", value: encoder.encode("{}") })),
    );
    await until(async () => (await rate() ?? 0) > 100);
  });
});

Deno.test("messages: the newest N, from an offset, from a time, oldest first by time", async () => {
  await withMessages(async (f) => {
    const newest = await get(f, messages("limit=3"));
    assert.equal(newest.status, 200);
    assert.deepEqual(ns(newest.body), [7, 8, 9]);
    const all = (await get(f, messages(""))).body as ConsoleMessage[];
    assert.deepEqual(
      ns(all),
      [0, 1, 2, 3, 4, "plain text", 5, 6, 7, 8, 9],
      "by time over partitions",
    );
    const text = all.find((m) => m.partition === 1)!;
    assert.deepEqual(
      [text.valueType, text.key, text.offset, text.timestamp],
      ["text", KEYS[1], 0, new Date(BASE + 4500).toISOString()],
    );
    const first = all[0];
    assert.deepEqual(first.headers, { source: "early" });
    assert.deepEqual(first.value, { n: 0, city: "Lyon" });
    assert.deepEqual(ns((await get(f, messages("partition=0&offset=4&limit=3"))).body), [4, 5, 6]);
    assert.deepEqual(ns((await get(f, messages("partition=0&offset=10"))).body), []);
    const from = new Date(BASE + 7500).toISOString();
    assert.deepEqual(ns((await get(f, messages(`from=${from}`))).body), [8, 9]);
    const early = new Date(BASE + 4000).toISOString();
    assert.deepEqual(ns((await get(f, messages(`from=${early}&limit=3`))).body), [
      4,
      "plain text",
      5,
    ]);
  });
});

Deno.test("messages: a filter on key, header or JSON field picks the matches", async () => {
  await withMessages(async (f) => {
    const filtered = (filter: string, extra = "") =>
      get(f, messages(`filter=${encodeURIComponent(filter)}${extra}`));
    assert.deepEqual(ns((await filtered("city=Paris && n>=5")).body), [5, 7, 9]);
    assert.deepEqual(ns((await filtered("header.source=early && n<2")).body), [0, 1]);
    assert.deepEqual(ns((await filtered(`key=${KEYS[1]}`)).body), ["plain text"]);
    assert.deepEqual(ns((await filtered("city~par", "&limit=2")).body), [7, 9], "newest 2 matches");
    assert.deepEqual(ns((await filtered("city~par", "&partition=0&offset=0&limit=2")).body), [
      1,
      3,
    ]);
  });
});

Deno.test("messages: bad parameters get a 400 saying what is wrong, an unknown topic a 404", async () => {
  await withMessages(async (f) => {
    const bad: Array<[string, RegExp]> = [
      ["limit=0", /limit must be a whole number from 1 to 500/],
      ["limit=501", /limit must be/],
      ["partition=2", /partition must be a whole number from 0 to 1/],
      ["offset=3", /offset needs a partition/],
      ["partition=0&offset=1&from=2025-01-31T12:00:00Z", /offset or from, not both/],
      ["from=yesterday", /from must be an ISO 8601/],
      ["from=2025-01-31T12:00", /with its zone/],
      ["filter=city", /filter: clause/],
      ["filter=n%3Eten", /needs a number/],
    ];
    for (const [query, why] of bad) {
      const { status, body } = await get(f, messages(query));
      assert.equal(status, 400, query);
      assert.match(body.error, why, query);
    }
    const missing = await get(f, "/api/console/topics/nope/messages");
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no topic "nope"/);
  });
});

Deno.test("messages download as NDJSON, one message per line", async () => {
  await withMessages(async (f) => {
    for (
      const path of [
        `/api/console/topics/${TOPIC}/messages.ndjson?limit=2`,
        messages("limit=2&format=ndjson"),
      ]
    ) {
      const res = await f.app.request(path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type")!, /^application\/x-ndjson/);
      assert.match(
        res.headers.get("content-disposition")!,
        /attachment; filename="console-test-messages.ndjson"/,
      );
      const lines = (await res.text()).trimEnd().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(ns(lines), [8, 9]);
    }
  });
});

Deno.test("POST messages produces a test message that the browse then shows", async () => {
  await withMessages(async (f) => {
    const body = JSON.stringify({
      key: "probe",
      headers: { via: "console" },
      value: { hello: [1, 2] },
    });
    const res = await f.app.request(messages(""), {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    assert.equal(res.status, 202);
    assert.deepEqual((await res.json()).produced, 1);
    const found = (await get(f, messages("filter=key%3Dprobe"))).body as ConsoleMessage[];
    assert.equal(found.length, 1);
    assert.deepEqual([found[0].headers, found[0].value, found[0].valueType], [
      { via: "console" },
      { hello: [1, 2] },
      "json",
    ]);
  });
});

Deno.test("POST messages produces the value's bytes as sent: numbers, escapes and spacing unchanged", async () => {
  await withMessages(async (f) => {
    const value = '{ "total": 1.10, "n": 1e2, "big": 12345678901234567890, "s": "caf\\u00e9" }';
    const res = await f.app.request(messages(""), {
      method: "POST",
      body: `\ufeff {"value": 1, "key": "exact", "value" :${value}\n}`,
      headers: { "content-type": "application/json" },
    });
    assert.equal(res.status, 202);
    const partition = partitionFor("exact", 2);
    const records = await f.pipeline.broker.read({
      topic: TOPIC,
      partition,
      offset: 0,
      limit: 100,
    });
    const produced = records.find((r) => r.key === "exact")!;
    assert.equal(new TextDecoder().decode(produced.value), value, "the last value, as JSON.parse");
  });
});

Deno.test("POST messages refuses bad bodies (400), other types (415), unknown topics (404)", async () => {
  await withMessages(async (f) => {
    const post = (body: string, type = "application/json", topic = TOPIC) =>
      f.app.request(`/api/console/topics/${topic}/messages`, {
        method: "POST",
        body,
        headers: { "content-type": type },
      });
    const bad: Array<[string, RegExp]> = [
      ["[1]", /send a JSON object/],
      [JSON.stringify({ key: 5, value: 1 }), /key must be text/],
      [JSON.stringify({ headers: { a: 1 }, value: 1 }), /header "a" must have/],
      [JSON.stringify({ key: "k" }), /value is missing/],
      [JSON.stringify({ value: 1, extra: 2 }), /unknown field extra/],
      ["{", /not JSON/],
    ];
    for (const [body, why] of bad) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      assert.match((await res.json()).error, why, body);
    }
    const form = await post("value=1", "application/x-www-form-urlencoded");
    assert.equal(form.status, 415);
    await form.body?.cancel();
    const missing = await post(JSON.stringify({ value: 1 }), "application/json", "nope");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const all = (await get(f, messages("limit=500"))).body as ConsoleMessage[];
    assert.equal(all.length, 11, "nothing was produced");
  });
});

Deno.test("POST messages needs the write token when one is set", async () => {
  const f = await startFixture({ web: { writeToken: "s3cret" } });
  try {
    await f.pipeline.broker.createTopics([{ name: TOPIC, partitions: 1 }]);
    const post = (headers: Record<string, string>) =>
      f.app.request(messages(""), {
        method: "POST",
        body: JSON.stringify({ value: 1 }),
        headers: { "content-type": "application/json", ...headers },
      });
    const none = await post({});
    assert.equal(none.status, 401);
    assert.match((await none.json()).error, /Authorization: Bearer/);
    const wrong = await post({ authorization: "Bearer nope" });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const right = await post({ authorization: "Bearer s3cret" });
    assert.equal(right.status, 202);
    await right.body?.cancel();
    assert.equal((await get(f, messages(""))).body.length, 1);
  } finally {
    await f.close();
  }
});

Deno.test("the console pages render server-side; an unknown topic's page is a 404", async () => {
  await withMessages(async (f) => {
    const topics = await f.app.request("/console");
    assert.equal(topics.status, 200);
    const html = await topics.text();
    assert.match(html, new RegExp(`data-topic="${TOPIC}"`));
    assert.match(html, /<a href="\/console" aria-current="page">Console<\/a>/);
    const topic = await f.app.request(`/console/topics/${TOPIC}`);
    assert.equal(topic.status, 200);
    const page = await topic.text();
    assert.match(page, /data-offset="9"/, "the newest message is rendered");
    assert.doesNotMatch(page, /<script>(?!\s*$)/, "no inline script (the CSP forbids it)");
    const missing = await f.app.request("/console/topics/nope");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});
