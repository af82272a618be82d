import assert from "node:assert/strict";
import { Hono } from "hono";
import { answeredHosts, hostGuard } from "./host_guard.ts";

function app(host: string, allowedHosts: string[] = []) {
  const hono = new Hono();
  hono.use(hostGuard({ host, allowedHosts }));
  hono.all("*", (c) => c.text("served"));
  return hono;
}

Deno.test("host guard: loopback names on any port, the configured HOST and allowed hosts are answered", async () => {
  const guarded = app("10.1.2.3", ["dashboard.example"]);
  for (
    const url of [
      "http://localhost/",
      "http://localhost:8000/stats",
      "http://127.0.0.1:1/",
      "http://[::1]:8000/",
      "http://LOCALHOST:8000/",
      "http://10.1.2.3:8000/",
      "http://dashboard.example/",
      "http://Dashboard.Example:443/add_user",
    ]
  ) {
    const res = await guarded.request(url, { method: url.endsWith("add_user") ? "POST" : "GET" });
    assert.equal(res.status, 200, url);
  }
});

Deno.test("host guard: any other name gets 421 with a message naming the setting (DNS rebinding)", async () => {
  const guarded = app("127.0.0.1");
  for (
    const url of [
      "http://attacker.example/",
      "http://attacker.example:8000/add_user",
      "http://127.0.0.1.attacker.example/",
      "http://localhost.attacker.example/",
      "http://10.0.0.5:8000/",
      "http://0.0.0.0:8000/",
    ]
  ) {
    const res = await guarded.request(url, { method: "POST" });
    assert.equal(res.status, 421, url);
    const { error } = await res.json();
    assert.match(
      error,
      /^this server does not answer for host "[^"]+"; .*STREAMBOARD_ALLOWED_HOSTS/,
    );
  }
});

Deno.test("host guard: a wildcard HOST is not a name; an IPv6 HOST is bracketed", () => {
  assert.deepEqual([...answeredHosts({ host: "0.0.0.0", allowedHosts: [] })].sort(), [
    "127.0.0.1",
    "[::1]",
    "localhost",
  ]);
  assert.ok(answeredHosts({ host: "fd00::5", allowedHosts: [] }).has("[fd00::5]"));
});
