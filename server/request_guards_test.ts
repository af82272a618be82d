import assert from "node:assert/strict";
import { isJsonType, readJsonBody } from "./request_guards.ts";
import { HttpError } from "./http_error.ts";
import { startFixture } from "../testing/app_fixture.ts";
import { serveFrontDoor } from "./front_door.ts";
import { createApp } from "./app.ts";
import manifest from "../fresh.gen.ts";
import type { Logger } from "../pipeline/logger.ts";

const LIMITS = { maxBytes: 1024, timeoutMs: 200 };

function jsonRequest(body: ReadableStream<Uint8Array>): Request {
  return new Request("http://127.0.0.1/add_user", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, String(error));
    return error;
  }
  throw new assert.AssertionError({ message: "not refused" });
}

Deno.test("readJsonBody: a body that does not arrive in time gets 408", async () => {
  const started = Date.now();
  const stalled = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(new TextEncoder().encode('{"a":')),
  });
  const error = await refusal(readJsonBody(jsonRequest(stalled), LIMITS));
  assert.equal(error.status, 408);
  assert.equal(error.message, "the body did not arrive within 0.2 s");
  assert.ok(Date.now() - started < 2000);
});

Deno.test("readJsonBody: a body cut off by the client is a 400, not a server failure", async () => {
  const cut = new ReadableStream<Uint8Array>({
    start: (c) => {
      c.enqueue(new TextEncoder().encode('{"a":'));
      c.error(new Error("connection reset"));
    },
  });
  const error = await refusal(readJsonBody(jsonRequest(cut), LIMITS));
  assert.equal(error.status, 400);
  assert.match(error.message, /cut off before its end/);
});

Deno.test("readJsonBody: no Content-Type is refused with 415, as any type but JSON", async () => {
  const req = new Request("http://127.0.0.1/add_user", { method: "POST", body: new Blob(["{}"]) });
  const error = await refusal(readJsonBody(req, LIMITS));
  assert.equal(error.status, 415);
  assert.ok(isJsonType("application/json; charset=utf-8"));
  assert.ok(isJsonType("application/problem+json"));
  for (
    const type of [null, "", "text/plain", "application/jsonp", "text/json", "application/json-seq"]
  ) {
    assert.ok(!isJsonType(type), String(type));
  }
});

Deno.test("over a socket: a slow body gets 408, an aborted upload is not logged as a failure", async () => {
  const f = await startFixture({ web: { bodyTimeoutMs: 300 } });
  const logged: string[] = [];
  const log: Logger = {
    info: () => {},
    warn: (m) => logged.push(`warn ${m}`),
    error: (m) => logged.push(`error ${m}`),
  };
  const app = createApp(manifest, { ...f.state, log });
  const door = serveFrontDoor({
    hostname: "127.0.0.1",
    port: 0,
    headerTimeoutMs: 5000,
    keepAliveTimeoutMs: 5000,
    maxConnections: 10,
    log,
  }, (req, client) => app.fetch(req, client));
  const head = "POST /add_user HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
    "Content-Length: 1000\r\n\r\n";
  try {
    const slow = await Deno.connect({ hostname: "127.0.0.1", port: door.addr.port });
    await slow.write(new TextEncoder().encode(`${head}{"name":`));
    const started = Date.now();
    const reply = new TextDecoder().decode(await new Response(slow.readable).arrayBuffer());
    assert.match(reply, /^HTTP\/1\.1 408 /);
    assert.match(reply, /the body did not arrive within 0\.3 s/);
    assert.ok(Date.now() - started < 3000, "the connection closes with the answer");

    for (let i = 0; i < 5; i++) {
      const aborted = await Deno.connect({ hostname: "127.0.0.1", port: door.addr.port });
      await aborted.write(new TextEncoder().encode(`${head}{"name":`));
      await new Promise((r) => setTimeout(r, 50));
      aborted.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(logged, [], "nothing logged");
    assert.equal(await f.pipeline.raw.count("users"), 0);
  } finally {
    await door.shutdown();
    await f.close();
  }
});
