/**
 * Malformed HTTP, byte for byte, against the whole app over a real socket:
 * odd methods, broken request lines, bad encodings, hostile and huge
 * headers. Nothing may answer 5xx, nothing may be logged as a failure, and
 * the server must serve normally afterwards. `EDGE_FUZZ_SEED` and
 * `EDGE_FUZZ_COUNT` repeat or lengthen a run.
 */

import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { serveFrontDoor } from "./front_door.ts";
import { createApp } from "./app.ts";
import manifest from "../fresh.gen.ts";
import { type Random, seededRandom } from "../pipeline/random.ts";
import type { Logger } from "../pipeline/logger.ts";

const SEED = Number(Deno.env.get("EDGE_FUZZ_SEED") ?? 1010);
const COUNT = Number(Deno.env.get("EDGE_FUZZ_COUNT") ?? 400);

const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "TRACE",
  "CONNECT",
  "PROPFIND",
  "get",
  "FOO",
  "G ET",
  "GET\x00",
  "X".repeat(300),
  "",
];
const PATHS = [
  "/",
  "/sales",
  "/clicks",
  "/products",
  "/stats",
  "/last_user",
  "/users",
  "/add_user",
  "/export/csv",
  "/export/products/x.csv",
  "/api/stream/users",
  "/api/pages/users",
  "/api/pages/%ff",
  "/api/stream/sales",
  "/api/stream/%ff",
  "/styles.css",
  "/geo/countries-110m.topojson",
];
const QUERIES = [
  "",
  "?limit=0x10",
  "?limit=1e2",
  "?limit=%ff",
  "?cursor=%00",
  "?cursor=" + "A".repeat(3000),
  "?lastEventId=-1",
  "?%zz=1",
  "?limit=5&limit=6",
];
const NASTY = [
  "%",
  "%ff",
  "%00",
  "%2e%2e",
  "%252e",
  "..",
  "\\",
  "%c0%ae",
  ";",
  "//",
  "%0d%0a",
  "\x7f",
  "é",
  "\u2028",
  "\x01",
  "%u2215",
];

function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.int(0, items.length - 1)];
}

function target(random: Random): string {
  const roll = random.next();
  if (roll < 0.1) {
    return pick(random, [
      "*",
      "",
      "http://evil.example/stats",
      "stats",
      "//",
      "/" + "a".repeat(20_000),
    ]);
  }
  let path = pick(random, PATHS);
  for (let i = random.int(0, 2); i > 0; i--) path += pick(random, NASTY);
  return path + pick(random, QUERIES);
}

function headers(random: Random, body: string): string[] {
  const lines: string[] = [];
  const host = random.next();
  if (host < 0.7) lines.push("Host: 127.0.0.1");
  else if (host < 0.8) lines.push("Host: evil.example");
  else if (host < 0.85) lines.push("Host: 127.0.0.1", "Host: localhost");
  else if (host < 0.9) lines.push("Host: " + "h".repeat(5000));
  else if (host < 0.95) lines.push("Host: [::1");
  const extra = [
    "Content-Type: application/json",
    "Content-Type: text/plain",
    "Content-Type: application/json; charset=utf-16",
    "Origin: http://evil.example",
    "Origin: null",
    "Origin: \x01",
    "Sec-Fetch-Site: cross-site",
    "Sec-Fetch-Site: none",
    "Last-Event-ID: " + "9".repeat(400),
    "Last-Event-ID: x-y-z",
    "If-None-Match: *",
    "Authorization: Bearer " + "x".repeat(1000),
    "Authorization: Basic ???",
    "Range: bytes=0-1",
    "Expect: 100-continue",
    "Content-Length: -1",
    "Content-Length: 1, 2",
    "Transfer-Encoding: chunked",
    "Transfer-Encoding: gzip",
    "X-Big: " + "b".repeat(random.int(1000, 70_000)),
    "X-Bytes: \xff\xfe",
    "Bad Header: yes",
    ": empty name",
    "X-Folded: a\r\n continued",
  ];
  for (let i = random.int(0, 4); i > 0; i--) lines.push(pick(random, extra));
  if (body !== "" && !lines.some((l) => /^(content-length|transfer-encoding)/i.test(l))) {
    lines.push(`Content-Length: ${new TextEncoder().encode(body).length}`);
  }
  lines.push("Connection: close");
  return lines;
}

function body(random: Random): string {
  return pick(random, [
    "",
    "{}",
    '{"login":{"uuid":"x"}}',
    "not json",
    "\u0000\u0001",
    "[".repeat(5000),
    '{"__proto__":{"polluted":1}}',
    "0\r\n\r\n",
    "zz\r\nxx\r\n",
  ]);
}

/** Sends raw bytes, returns the status line's code (0 when the server closed without one). */
async function exchange(
  port: number,
  request: Uint8Array,
): Promise<{ status: number; head: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const guard = setTimeout(() => conn.close(), 5000);
  try {
    await conn.write(request).catch(() => 0);
    const buffer = new Uint8Array(4096);
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head: text.slice(0, 300) };
  } finally {
    clearTimeout(guard);
    try {
      conn.close();
    } catch {
      // closed by the guard
    }
  }
}

Deno.test(`edge fuzz: ${COUNT} malformed requests (seed ${SEED}) get no 5xx, no logged failure`, async () => {
  const f = await startFixture();
  const failures: string[] = [];
  const log: Logger = {
    info: () => {},
    warn: (m) => failures.push(`warn ${m}`),
    error: (m) => failures.push(`error ${m}`),
  };
  const app = createApp(manifest, { ...f.state, log });
  const door = serveFrontDoor({
    hostname: "127.0.0.1",
    port: 0,
    headerTimeoutMs: 2000,
    keepAliveTimeoutMs: 2000,
    maxConnections: 100,
    log,
  }, (req, client) => app.fetch(req, client));
  const random = seededRandom(SEED);
  const seen = new Map<number, number>();
  try {
    for (let i = 0; i < COUNT; i++) {
      const payload = random.next() < 0.3 ? body(random) : "";
      const lines = [
        `${pick(random, METHODS)} ${target(random)} ${
          pick(random, ["HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/9.9", "HTTX"])
        }`,
        ...headers(random, payload),
      ];
      const raw = `${lines.join("\r\n")}\r\n\r\n${payload}`;
      const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0) & 0xff);
      const { status, head } = await exchange(door.addr.port, bytes);
      seen.set(status, (seen.get(status) ?? 0) + 1);
      assert.ok(status < 500, `#${i} ${JSON.stringify(raw.slice(0, 200))} → ${head}`);
    }
    const res = await fetch(`http://127.0.0.1:${door.addr.port}/stats`);
    assert.equal(res.status, 200, "still serving");
    await res.body?.cancel();
    assert.deepEqual(failures, [], "nothing logged as a failure");
    assert.ok((seen.get(200) ?? 0) > 0 && (seen.get(400) ?? 0) > 0, JSON.stringify([...seen]));
  } finally {
    await door.shutdown();
    await f.close();
  }
});
