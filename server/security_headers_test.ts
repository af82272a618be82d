import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./security_headers.ts";

Deno.test("security headers: every kind of response carries them, errors and 404s included", async () => {
  const f = await startFixture({
    streams: { selected: ["users", "sales", "clicks", "products"] },
  });
  try {
    const requests: Array<[string, RequestInit, number]> = [
      ["/", {}, 200],
      ["/sales", {}, 200],
      ["/clicks", {}, 200],
      ["/products", {}, 200],
      ["/stats", {}, 200],
      ["/users?limit=2", {}, 200],
      ["/export/csv", {}, 200],
      ["/styles.css", {}, 200],
      ["/geo/countries-110m.topojson", { method: "HEAD" }, 200],
      ["/nope", {}, 404],
      ["/%ff", {}, 400],
      ["/users?limit=0x10", {}, 400],
      ["/add_user", {}, 405],
      ["/add_user", { method: "POST", body: "{}" }, 415],
      ["/add_user", { method: "POST", headers: { origin: "http://evil.example" } }, 403],
      ["http://evil.example/stats", {}, 421],
      ["/export/products/nope.csv", {}, 404],
    ];
    for (const [path, init, status] of requests) {
      const res = await f.app.request(path, init);
      assert.equal(res.status, status, path);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        assert.equal(res.headers.get(name), value, `${name} on ${path}`);
      }
      await res.body?.cancel();
    }
    const controller = new AbortController();
    const sse = await f.app.request("/api/stream/users", { signal: controller.signal });
    assert.equal(sse.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY);
    await sse.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("security headers: no inline script is allowed, nor framing, plugins or a base URL", () => {
  const directives = Object.fromEntries(
    CONTENT_SECURITY_POLICY.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]),
  );
  assert.deepEqual(directives["script-src"], ["'self'"]);
  assert.deepEqual(directives["default-src"], ["'self'"]);
  assert.deepEqual(directives["frame-ancestors"], ["'none'"]);
  assert.deepEqual(directives["object-src"], ["'none'"]);
  assert.deepEqual(directives["base-uri"], ["'none'"]);
  assert.ok(!CONTENT_SECURITY_POLICY.includes("unsafe-eval"));
  assert.ok(!directives["style-src"].includes("'unsafe-inline'"), "no inline <style> elements");
});
