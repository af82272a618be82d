import assert from "node:assert/strict";
import {
  fetchUsersPage,
  randomUserRecords,
  type RandomUserSourceOptions,
} from "./randomuser_source.ts";
import { generateResponse } from "../users/generator.ts";
import { userKey } from "../users/user_key.ts";
import { seededRandom } from "../random.ts";
import type { Logger } from "../logger.ts";

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const decoder = new TextDecoder();

/** What a test server's handler decides for one request (the n-th, from 1). */
type Answer = (url: URL, n: number) => Response | Promise<Response>;

/** A real HTTP server on 127.0.0.1, recording the requests it got. */
interface TestServer {
  url: string;
  origin: string;
  requests: URL[];
  /** `performance.now()` of each request. */
  times: number[];
  [Symbol.asyncDispose](): Promise<void>;
}

function serve(answer: Answer): TestServer {
  const requests: URL[] = [];
  const times: number[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const url = new URL(request.url);
      requests.push(url);
      times.push(performance.now());
      return answer(url, requests.length);
    },
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  return {
    url: `${origin}/api/`,
    origin,
    requests,
    times,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Answers like randomuser.me: `results=N` users, from a seeded generator. */
function randomUserApi(seed = 1): { answer: Answer; sent: unknown[] } {
  const random = seededRandom(seed);
  const sent: unknown[] = [];
  return {
    sent,
    answer: (url) => {
      const count = Number(url.searchParams.get("results") ?? "1");
      const response = generateResponse(random, NOW, count);
      sent.push(...response.results);
      return Response.json(response);
    },
  };
}

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info() {},
    warn: (message) => warnings.push(message),
    error() {},
  };
}

function options(
  url: string,
  overrides: Partial<RandomUserSourceOptions> = {},
): RandomUserSourceOptions {
  return {
    url,
    pageSize: 5,
    timeoutMs: 2_000,
    retryInitialMs: 10,
    retryMaxMs: 100,
    log: capturingLogger(),
    ...overrides,
  };
}

Deno.test("fetchUsersPage asks for results=N and returns the users of the answer", async () => {
  const api = randomUserApi();
  await using server = serve(api.answer);
  const users = await fetchUsersPage({ url: server.url, results: 7, timeoutMs: 2_000 });
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0].pathname, "/api/");
  assert.equal(server.requests[0].searchParams.get("results"), "7");
  assert.equal(users.length, 7);
  assert.deepEqual(users.map((u) => u.value), api.sent);
});

Deno.test("fetchUsersPage keeps the query of the configured URL", async () => {
  const api = randomUserApi();
  await using server = serve(api.answer);
  await fetchUsersPage({
    url: `${server.url}?nat=us,gb&inc=name,login`,
    results: 2,
    timeoutMs: 2_000,
  });
  const query = server.requests[0].searchParams;
  assert.equal(query.get("nat"), "us,gb");
  assert.equal(query.get("inc"), "name,login");
  assert.equal(query.get("results"), "2");
});

Deno.test("fetchUsersPage rejects a 500 answer, naming the server and the status", async () => {
  await using server = serve(() => new Response("boom", { status: 500 }));
  await assert.rejects(
    fetchUsersPage({ url: server.url, results: 5, timeoutMs: 2_000 }),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(
        error.message,
        `${server.origin} answered 500 Internal Server Error`,
      );
      return true;
    },
  );
});

Deno.test("fetchUsersPage rejects JSON that is not a RandomUser response", async () => {
  // What randomuser.me sends when it fails.
  await using server = serve(() => Response.json({ error: "Uh oh, something has gone wrong." }));
  await assert.rejects(fetchUsersPage({ url: server.url, results: 5, timeoutMs: 2_000 }), {
    message: `${server.origin} did not answer with a RandomUser response ({"results": [...]})`,
  });
});

Deno.test("fetchUsersPage rejects an answer that is not JSON", async () => {
  await using server = serve(() =>
    new Response("<html>maintenance</html>", {
      headers: { "content-type": "text/html" },
    })
  );
  await assert.rejects(fetchUsersPage({ url: server.url, results: 5, timeoutMs: 2_000 }), {
    message: `${server.origin} did not answer with a RandomUser response ({"results": [...]})`,
  });
});

Deno.test("fetchUsersPage gives up after timeoutMs, saying which server did not answer", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  await using server = serve(async () => {
    await released;
    return Response.json({ results: [] });
  });
  const started = performance.now();
  try {
    await assert.rejects(
      fetchUsersPage({ url: server.url, results: 5, timeoutMs: 50 }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(
          error.message,
          /timed? ?out|within 50 ms/i,
          "says it timed out",
        );
        assert.ok(
          error.message.includes(server.origin),
          `names the server that did not answer: "${error.message}"`,
        );
        return true;
      },
    );
    assert.ok(
      performance.now() - started < 1_500,
      "does not wait much longer than the timeout",
    );
  } finally {
    release();
  }
});

Deno.test("randomUserRecords retries with backoff through failures, warning that the API is unreachable", async () => {
  const api = randomUserApi();
  await using server = serve((url, n) =>
    n <= 2 ? new Response("down", { status: 503 }) : api.answer(url, n)
  );
  const log = capturingLogger();
  const records = await Array.fromAsync(
    randomUserRecords(
      userKey,
      options(server.url, { count: 3, retryInitialMs: 30, log }),
    ),
  );
  assert.equal(records.length, 3);
  assert.deepEqual(
    records.map((r) => JSON.parse(decoder.decode(r.value))),
    api.sent,
  );
  assert.equal(server.requests.length, 3);
  assert.equal(log.warnings.length, 2);
  for (const warning of log.warnings) {
    assert.ok(
      warning.includes(`RandomUser API at ${server.url} is unreachable`),
      warning,
    );
  }
  assert.match(log.warnings[0], /attempt 1/);
  assert.match(log.warnings[1], /attempt 2/);
  const [first, second, third] = server.times;
  assert.ok(
    second - first >= 28,
    `waited ${second - first} ms after the first failure`,
  );
  assert.ok(
    third - second >= 58,
    `waited ${third - second} ms (twice as long) after the second`,
  );
});

Deno.test("randomUserRecords keys each user by login.uuid", async () => {
  const api = randomUserApi();
  await using server = serve(api.answer);
  const records = await Array.fromAsync(
    randomUserRecords(userKey, options(server.url, { count: 4 })),
  );
  assert.deepEqual(
    records.map((r) => r.key),
    api.sent.map((u) => (u as { login: { uuid: string } }).login.uuid),
  );
});

Deno.test("count stops after exactly N users across pages, asking only for what is missing", async () => {
  const api = randomUserApi();
  await using server = serve(api.answer);
  const records = await Array.fromAsync(
    randomUserRecords(userKey, options(server.url, { count: 10, pageSize: 4 })),
  );
  assert.equal(records.length, 10);
  assert.deepEqual(server.requests.map((u) => u.searchParams.get("results")), [
    "4",
    "4",
    "2",
  ]);
  assert.deepEqual(
    records.map((r) => JSON.parse(decoder.decode(r.value))),
    api.sent,
  );
});

Deno.test("count stops after exactly N users even when a page brings more than asked", async () => {
  const random = seededRandom(3);
  await using server = serve(() => Response.json(generateResponse(random, NOW, 4)));
  const records = await Array.fromAsync(
    randomUserRecords(userKey, options(server.url, { count: 10, pageSize: 4 })),
  );
  assert.equal(records.length, 10);
});

Deno.test("an empty page is waited on like a failure, not asked for again at once", async () => {
  await using server = serve(() => Response.json({ results: [], info: { version: "1.4" } }));
  const controller = new AbortController();
  const users = randomUserRecords(
    userKey,
    options(server.url, {
      count: 5,
      retryInitialMs: 100,
      signal: controller.signal,
    }),
  );
  const timer = setTimeout(() => controller.abort(), 300);
  try {
    const first = await users.next().catch(() => ({
      done: true,
      value: undefined,
    }));
    assert.equal(first.done, true, "nothing is yielded");
  } finally {
    clearTimeout(timer);
  }
  assert.ok(
    server.requests.length <= 5,
    `${server.requests.length} requests in 300 ms with a 100 ms backoff`,
  );
});

Deno.test("randomUserRecords stops when its signal aborts", async () => {
  const api = randomUserApi();
  await using server = serve(api.answer);
  const controller = new AbortController();
  let seen = 0;
  for await (
    const _ of randomUserRecords(
      userKey,
      options(server.url, { pageSize: 3, signal: controller.signal }),
    )
  ) {
    if (++seen === 3) controller.abort();
  }
  assert.equal(seen, 3);
  assert.equal(
    server.requests.length,
    1,
    "no page is asked for after the abort",
  );
});

Deno.test("each user is sent as the exact bytes of the API's answer: numbers, escapes and bad UTF-8 kept", async () => {
  const encoder = new TextEncoder();
  const first = new Uint8Array([
    ...encoder.encode('{"login": {"uuid": "u-1"}, "name": {"first": "'),
    0xff,
    ...encoder.encode('\\u00e9"}, "n": 1.10}'),
  ]);
  const second = encoder.encode('{ "login" : { "uuid" : "u-2" } , "e" : 1e2 }');
  const body = new Uint8Array([
    ...encoder.encode('{\n  "results": [\n    '),
    ...first,
    ...encoder.encode(",\n    "),
    ...second,
    ...encoder.encode('\n  ],\n  "info": {"version": "1.4"}\n}'),
  ]);
  await using server = serve(() =>
    new Response(body, { headers: { "content-type": "application/json" } })
  );
  const records = await Array.fromAsync(
    randomUserRecords(userKey, options(server.url, { count: 2, pageSize: 2 })),
  );
  assert.deepEqual(records.map((r) => [r.key, [...r.value]]), [
    ["u-1", [...first]],
    ["u-2", [...second]],
  ]);
});
