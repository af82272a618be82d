import assert from "node:assert/strict";
import { Hono } from "hono";
import { crossSiteGuard } from "./cross_site_guard.ts";
import { HttpError } from "./http_error.ts";

function app(allowedOrigins: string[] = []) {
  const hono = new Hono();
  hono.onError((error, c) =>
    error instanceof HttpError
      ? c.json({ error: error.message }, error.status as 403)
      : c.json({ error: "bug" }, 500)
  );
  hono.use(crossSiteGuard(allowedOrigins));
  hono.all("*", (c) => c.text("written"));
  return hono;
}

const URL_ = "http://127.0.0.1:8000/add_user";
const JSON_TYPE = { "content-type": "application/json" };

Deno.test("cross-site guard: writes from the own origin, with no browser markers, or from an allowed origin pass", async () => {
  const guarded = app(["https://ops.example"]);
  const cases: Array<Record<string, string>> = [
    JSON_TYPE,
    { ...JSON_TYPE, origin: "http://127.0.0.1:8000", "sec-fetch-site": "same-origin" },
    { ...JSON_TYPE, "sec-fetch-site": "none" },
    { "content-type": "application/json; charset=utf-8" },
    { "content-type": "application/vnd.api+json" },
    { ...JSON_TYPE, origin: "https://ops.example", "sec-fetch-site": "cross-site" },
  ];
  for (const headers of cases) {
    const res = await guarded.request(URL_, { method: "POST", headers, body: "{}" });
    assert.equal(res.status, 200, JSON.stringify(headers));
  }
});

Deno.test("cross-site guard: a write from another origin or site gets 403 with a message", async () => {
  const guarded = app();
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ ...JSON_TYPE, origin: "http://evil.example" }, /came from http:\/\/evil\.example/],
    [{ ...JSON_TYPE, origin: "http://localhost:8000" }, /came from http:\/\/localhost:8000/],
    [{ ...JSON_TYPE, origin: "http://127.0.0.1:3000" }, /came from/],
    [{ ...JSON_TYPE, origin: "null" }, /came from null/],
    [
      { ...JSON_TYPE, "sec-fetch-site": "cross-site" },
      /the browser says the request is cross-site/,
    ],
    [{ ...JSON_TYPE, "sec-fetch-site": "same-site" }, /is same-site/],
  ];
  for (const [headers, message] of cases) {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const res = await guarded.request(URL_, { method, headers, body: "{}" });
      assert.equal(res.status, 403, `${method} ${JSON.stringify(headers)}`);
      const { error } = await res.json();
      assert.match(error, /^writes are accepted only from this server's own pages/);
      assert.match(error, message);
    }
  }
});

Deno.test("cross-site guard: a write without a JSON Content-Type gets 415, reads need none", async () => {
  const guarded = app();
  const cases: Array<[RequestInit, RegExp]> = [
    [{ method: "POST", body: new Blob(["{}"]) }, /the request had no Content-Type/],
    [{ method: "POST", body: "{}" }, /got text\/plain;charset=UTF-8/],
    [
      { method: "POST", body: new URLSearchParams({ a: "1" }) },
      /application\/x-www-form-urlencoded/,
    ],
    [{ method: "POST", body: new FormData() }, /multipart\/form-data/],
    [{ method: "POST", headers: { "content-type": "application/jsonx" }, body: "{}" }, /got/],
    [{ method: "DELETE" }, /no Content-Type/],
  ];
  for (const [init, message] of cases) {
    const res = await guarded.request(URL_, init);
    assert.equal(res.status, 415, String(message));
    assert.match((await res.json()).error, message);
  }
  for (const method of ["GET", "HEAD", "OPTIONS"]) {
    assert.equal((await guarded.request(URL_, { method })).status, 200, method);
  }
});
