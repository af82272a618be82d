import assert from "node:assert/strict";
import { type ClientHandler, type FrontDoor, serveFrontDoor } from "./front_door.ts";
import { type Logger, silentLogger } from "../pipeline/logger.ts";
import { liveResponse } from "./sse.ts";

const encoder = new TextEncoder();
const HEADER_MS = 300;
const KEEP_ALIVE_MS = 300;

function start(
  handler: ClientHandler,
  maxConnections = 50,
  more: { shutdownGraceMs?: number; log?: Logger } = {},
): FrontDoor {
  return serveFrontDoor({
    hostname: "127.0.0.1",
    port: 0,
    headerTimeoutMs: HEADER_MS,
    keepAliveTimeoutMs: KEEP_ALIVE_MS,
    maxConnections,
    log: silentLogger,
    ...more,
  }, handler);
}

const connect = (door: FrontDoor) => Deno.connect({ hostname: "127.0.0.1", port: door.addr.port });

/** Reads until the server closes the connection (or `limitMs` passes): what came and when it closed. */
async function readToClose(conn: Deno.Conn, limitMs = 5000) {
  const started = performance.now();
  const buffer = new Uint8Array(65536);
  let text = "";
  const guard = setTimeout(() => conn.close(), limitMs);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return { text, closedAfterMs: performance.now() - started, byServer: true };
  } catch {
    return { text, closedAfterMs: performance.now() - started, byServer: false };
  } finally {
    clearTimeout(guard);
    try {
      conn.close();
    } catch {
      // closed by the guard already
    }
  }
}

/** Reads one whole response with a Content-Length (or to close), leaving the connection open. */
async function readResponse(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(65536);
  let text = "";
  for (;;) {
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length >= end + 4 + length) return text;
    }
    const n = await conn.read(buffer);
    if (n === null) return text;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
}

/** Reads until `marker` has arrived (or the connection ends), leaving the connection open. */
async function readUntil(conn: Deno.Conn, marker: string): Promise<string> {
  const buffer = new Uint8Array(4096);
  let text = "";
  while (!text.includes(marker)) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return text;
}

const ok: ClientHandler = (_req, client) => new Response(`hello ${client.address}`);

Deno.test("front door: relays requests and tells the handler the client's address", async () => {
  const door = start(ok);
  try {
    const res = await fetch(`http://127.0.0.1:${door.addr.port}/`);
    assert.equal(await res.text(), "hello 127.0.0.1");
  } finally {
    await door.shutdown();
  }
});

Deno.test("front door: headers sent in part get 408 and a close after the header timeout", async () => {
  const door = start(ok);
  try {
    const conn = await connect(door);
    await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    const { text, closedAfterMs, byServer } = await readToClose(conn);
    assert.ok(byServer, "the server closed it");
    assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(text, /headers did not arrive within 0\.3 s/);
    assert.ok(
      closedAfterMs >= HEADER_MS - 20 && closedAfterMs < HEADER_MS + 1000,
      `${closedAfterMs}`,
    );
  } finally {
    await door.shutdown();
  }
});

Deno.test("front door: a header dribbled a byte at a time does not extend the deadline", async () => {
  const door = start(ok);
  try {
    const conn = await connect(door);
    const dribble = (async () => {
      for (
        const byte of encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaa")
      ) {
        await new Promise((r) => setTimeout(r, 40));
        const sent = await conn.write(Uint8Array.of(byte)).catch(() => 0);
        if (sent === 0) return;
      }
    })();
    const { text, closedAfterMs } = await readToClose(conn);
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.ok(closedAfterMs < HEADER_MS + 1000, `${closedAfterMs}`);
    await dribble;
  } finally {
    await door.shutdown();
  }
});

Deno.test("front door: a connection that sends nothing is closed after the header timeout", async () => {
  const door = start(ok);
  try {
    const { text, closedAfterMs, byServer } = await readToClose(await connect(door));
    assert.ok(byServer);
    assert.equal(text, "");
    assert.ok(
      closedAfterMs >= HEADER_MS - 20 && closedAfterMs < HEADER_MS + 1000,
      `${closedAfterMs}`,
    );
  } finally {
    await door.shutdown();
  }
});

Deno.test("front door: an idle keep-alive connection is closed after the keep-alive timeout, a busy one is not", async () => {
  const door = start(ok);
  try {
    const conn = await connect(door);
    const request = encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    for (let i = 0; i < 3; i++) {
      await conn.write(request);
      assert.match(await readResponse(conn), /^HTTP\/1\.1 200 OK[\s\S]*hello 127\.0\.0\.1$/);
      await new Promise((r) => setTimeout(r, KEEP_ALIVE_MS / 2)); // idle, but not for long
    }
    const { text, closedAfterMs, byServer } = await readToClose(conn);
    assert.ok(byServer);
    assert.equal(text, "", "closed without a word");
    assert.ok(closedAfterMs < KEEP_ALIVE_MS + 1000, `${closedAfterMs}`);
  } finally {
    await door.shutdown();
  }
});

Deno.test("front door: a slow handler and a long stream outlive both timeouts", async () => {
  const door = start(async (req) => {
    if (new URL(req.url).pathname === "/slow") {
      await new Promise((r) => setTimeout(r, HEADER_MS * 3));
      return new Response("late but whole");
    }
    let sent = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) =>
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            if (++sent > 4) controller.close();
            else controller.enqueue(encoder.encode(`tick ${sent}\n`));
            resolve();
          }, KEEP_ALIVE_MS);
        }),
      cancel: () => clearTimeout(timer),
    });
    return new Response(body);
  });
  try {
    const base = `http://127.0.0.1:${door.addr.port}`;
    assert.equal(await (await fetch(`${base}/slow`)).text(), "late but whole");
    assert.equal(await (await fetch(`${base}/stream`)).text(), "tick 1\ntick 2\ntick 3\ntick 4\n");
  } finally {
    await door.shutdown();
  }
});

Deno.test("front door: past the connection cap a client gets 503 and a close; a freed slot serves again", async () => {
  const door = start(ok, 3);
  try {
    const held = await Promise.all([1, 2, 3].map(() => connect(door)));
    const request = encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    for (const conn of held) {
      await conn.write(request);
      assert.match(await readResponse(conn), /^HTTP\/1\.1 200/);
    }
    assert.equal(door.connections, 3);
    const extra = await connect(door);
    await extra.write(request);
    const refused = await readToClose(extra);
    assert.match(refused.text, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(refused.text, /STREAMBOARD_MAX_CONNECTIONS/);
    assert.match(refused.text, /content-security-policy: /);
    held.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`http://127.0.0.1:${door.addr.port}/`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
    for (const conn of held) conn.close();
  } finally {
    await door.shutdown();
  }
});

Deno.test("front door: thousands of connections cost the cap, not the server", async () => {
  const door = start(ok, 200);
  const opened: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 1000; i++) opened.push(await connect(door));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(door.connections <= 200, `${door.connections} served at once`);
  } finally {
    for (const conn of opened) conn.close();
    await door.shutdown();
  }
});

Deno.test("front door: a response the client reads late arrives whole, past the keep-alive timeout", async () => {
  // Larger than the socket buffers between the HTTP server and the client: the HTTP server
  // has handed over its last byte long before a busy client (a loaded browser) has read it.
  const size = 8 * 1024 * 1024;
  const door = start(() => new Response(new Uint8Array(size).fill(97)));
  try {
    const conn = await connect(door);
    await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    await new Promise((r) => setTimeout(r, KEEP_ALIVE_MS * 4)); // busy elsewhere, not reading
    const buffer = new Uint8Array(65536);
    let head = "";
    let body = 0;
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      if (!head.includes("\r\n\r\n")) {
        head += new TextDecoder().decode(buffer.subarray(0, n));
        const end = head.indexOf("\r\n\r\n");
        if (end >= 0) body += new TextEncoder().encode(head.slice(end + 4)).length;
      } else {
        body += n;
      }
    }
    conn.close();
    assert.match(head, new RegExp(`^HTTP/1\\.1 200 OK\r\n[\\s\\S]*content-length: ${size}\r\n`));
    assert.equal(body, size, "every byte of the body, then the keep-alive close");
  } finally {
    await door.shutdown();
  }
});

Deno.test("front door: shutdown closes a connection still streaming after the grace, and says so", async () => {
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const endless = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull: (controller) =>
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              controller.enqueue(encoder.encode(": heartbeat\n\n"));
              resolve();
            }, 50);
          }),
        cancel: () => clearTimeout(timer),
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  const door = start(endless, 50, { shutdownGraceMs: 300, log });
  const conn = await connect(door);
  await conn.write(encoder.encode("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  assert.match(await readResponse(conn).catch(() => ""), /^HTTP\/1\.1 200/);
  const reading = readToClose(conn, 10_000);
  const started = performance.now();
  await door.shutdown();
  const tookMs = performance.now() - started;
  assert.ok(tookMs >= 250 && tookMs < 3000, `shutdown took ${tookMs} ms`);
  const { byServer } = await reading;
  assert.ok(byServer, "the server closed the connection");
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], /closing 1 connection\(s\) still open 300 ms into the shutdown/);
  assert.match(warnings[0], /127\.0\.0\.1:\d+ streaming \(1 request\(s\) in progress\)/);
  clearTimeout(timer);
});

/** Open file descriptors of this process (Linux). */
/**
 * This process's established TCP sockets as `[local port, remote port]`.
 * Other test modules run in this process too (`--parallel`), so a test
 * counts sockets by port rather than all descriptors.
 */
function establishedSockets(): [number, number][] {
  const ours = new Set<string>();
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      const target = Deno.readLinkSync(`/proc/self/fd/${entry.name}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) ours.add(inode);
    } catch {
      // closed while listed
    }
  }
  const sockets: [number, number][] = [];
  for (const line of Deno.readTextFileSync("/proc/net/tcp").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== "01" || !ours.has(f[9])) continue;
    const port = (address: string) => parseInt(address.split(":")[1], 16);
    sockets.push([port(f[1]), port(f[2])]);
  }
  return sockets;
}

Deno.test("front door: a live stream holds one socket per viewer, and a viewer leaving cancels it", async () => {
  let cancelled = 0;
  const live = (req: Request) => {
    if (new URL(req.url).pathname !== "/live") return new Response("not live");
    return new Response(
      new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(encoder.encode("data: hello\n\n")),
        cancel: () => void cancelled++,
      }),
      { headers: { "content-type": "text/event-stream", "x-kept": "yes" } },
    );
  };
  const door = start(live, 200);
  const viewers: Deno.Conn[] = [];
  try {
    await new Promise((r) => setTimeout(r, 50));
    const othersBefore = establishedSockets().filter((ends) => !ends.includes(door.addr.port));
    for (let i = 0; i < 60; i++) {
      const conn = await connect(door);
      await conn.write(encoder.encode("GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      viewers.push(conn);
    }
    const heads = await Promise.all(viewers.map((conn) => readUntil(conn, "data: hello\n\n")));
    for (const head of heads) {
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /\r\nx-kept: yes\r\n/, "the handler's headers are kept");
      assert.match(
        head,
        /\r\nconnection: close\r\n\r\ndata: hello\n\n$/,
        "the body ends with the connection",
      );
    }
    await new Promise((r) => setTimeout(r, 100));
    // The test's own 60 client sockets are in this process too: the server side adds one each,
    // and no relay to the internal server stays (relayed: two more sockets per viewer).
    const sockets = establishedSockets();
    const atDoor = sockets.filter((ends) => ends.includes(door.addr.port)).length;
    assert.equal(atDoor, 60 * 2, "one server socket per viewer");
    const others = sockets.length - atDoor - othersBefore.length;
    assert.ok(others <= 20, `${others} other sockets for 60 viewers (relayed: 60 * 2)`);
    assert.equal(door.connections, 60);
    viewers.pop()!.close();
    const deadline = Date.now() + 2000;
    while (cancelled < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(cancelled, 1, "the stream of the viewer that left is cancelled");
    assert.equal(door.connections, 59);
    const res = await fetch(`http://127.0.0.1:${door.addr.port}/other`);
    assert.equal(await res.text(), "not live", "other requests are relayed as before");
  } finally {
    for (const conn of viewers) conn.close();
    await door.shutdown();
  }
});

Deno.test("front door: a live response's source is written straight to the viewer, its body never read", async () => {
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  let ended = 0;
  const bodies: (ReadableStream<Uint8Array> | null)[] = [];
  const live = (req: Request) => {
    const path = new URL(req.url).pathname;
    const chunks: (Uint8Array[] | "fail")[] = path === "/failing"
      ? [[encoder.encode("data: one\n\n")], "fail"]
      : [[encoder.encode("retry: 10\n\n")], [], [
        encoder.encode("data: a\n\n"),
        encoder.encode("data: b\n\n"),
      ]];
    // Once its chunks are out the source waits, as a quiet hub does, until it is ended.
    const { promise: endedHere, resolve: endHere } = Promise.withResolvers<null>();
    const res = liveResponse({
      next: () => {
        const next = chunks.shift();
        if (next === "fail") return Promise.reject(new Error("the snapshot could not be read"));
        return next ? Promise.resolve(next) : endedHere;
      },
      end: () => {
        ended++;
        endHere(null);
      },
    });
    bodies.push(res.body);
    return res;
  };
  const door = start(live, 50, { log });
  try {
    const conn = await connect(door);
    await conn.write(encoder.encode("GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const text = await readUntil(conn, "data: b\n\n");
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*content-type: text\/event-stream/);
    assert.match(text, /\r\n\r\nretry: 10\n\ndata: a\n\ndata: b\n\n$/, "every chunk, in order");
    assert.equal(bodies[0]?.locked, false, "the body stream was not read");
    conn.close();
    const deadline = Date.now() + 2000;
    while (ended < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(ended >= 1, "the viewer leaving ends the source");

    for (let i = 0; i < 3; i++) {
      const failing = await connect(door);
      await failing.write(encoder.encode("GET /failing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      const { text: failed, byServer } = await readToClose(failing);
      assert.ok(byServer, "a failed source closes the connection");
      assert.match(failed, /\r\n\r\ndata: one\n\n$/);
    }
    // A store that is down fails every viewer's snapshot: one warning, not one per viewer.
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(
      warnings[0],
      /live stream to 127\.0\.0\.1:\d+ .*ended: the snapshot could not be read/,
    );
  } finally {
    await door.shutdown();
  }
});
