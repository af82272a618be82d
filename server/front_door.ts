/**
 * The server's TCP front: `Deno.serve` (2.9) has no header read timeout, no
 * idle keep-alive timeout and no cap on connections (measured: partial
 * headers, a silent connection and an idle keep-alive connection all stay
 * open for as long as the client likes, and 5,000 connections are all
 * accepted), so connections are accepted here, counted, held to deadlines,
 * and their bytes relayed unchanged to a `Deno.serve` on an ephemeral
 * loopback port that does the HTTP.
 *
 * The HTTP server tells the front when a request's headers have arrived and
 * when its response has been sent, so the front knows, without parsing HTTP
 * itself, whether a connection is waiting for headers (header timeout, from
 * the connection's start or the first byte of a new request), idle between
 * requests (keep-alive timeout), or serving (no deadline here: bodies have
 * their own, in `readJsonBody`, and live streams run as long as they run).
 *
 * "Sent" means handed to the HTTP server, not received by the client: the
 * bytes may still sit in its buffers, the sockets and this relay while a busy
 * client reads slowly. So a connection past its keep-alive time is ended, not
 * cut: the HTTP server is told no request follows, and the connection closes
 * once the HTTP server has closed its side and everything it wrote has reached
 * the client.
 *
 * A live stream (a `200 text/event-stream` answer to a GET) is written to the
 * client by the front itself, delimited by the connection's close, and the
 * connection to the HTTP server is let go: relayed, each viewer would hold
 * three sockets and two relay buffers for as long as it watches (measured:
 * 10,000 viewers need 30,000 descriptors, past this machine's limit of
 * 20,000, and 5,000 held about 0.9 GB).
 */

import type { Logger } from "../pipeline/logger.ts";
import { SECURITY_HEADERS } from "./security_headers.ts";
import { InnerAddresses } from "./inner_addresses.ts";
import { type LiveSource, liveSourceOf } from "./sse.ts";

/** Who sent a request, as the front saw the connection. */
export interface ClientInfo {
  /** The client's IP address. */
  address: string;
}

/** Handles a request with the client it came from. */
export type ClientHandler = (req: Request, client: ClientInfo) => Response | Promise<Response>;

/** Where to listen and the limits on connections. */
export interface FrontDoorOptions {
  hostname: string;
  port: number;
  /** Longest time a request's headers may take, from the connection's start or the request's first byte, ms. */
  headerTimeoutMs: number;
  /** Longest time a connection may stay open with no request in progress, ms. */
  keepAliveTimeoutMs: number;
  /** Most connections served at once; a connection past it gets 503 and is closed. */
  maxConnections: number;
  /**
   * Longest time `shutdown` waits for requests in progress (live streams,
   * slow clients) before it closes their connections, ms; 5 s by default.
   */
  shutdownGraceMs?: number;
  log: Logger;
}

/** A listening front door. */
export interface FrontDoor {
  /** The address it listens on. */
  readonly addr: Deno.NetAddr;
  /** Connections being served now. */
  readonly connections: number;
  /**
   * Stops accepting, lets requests in progress finish for at most the
   * shutdown grace, then closes every connection still open, logging them.
   */
  shutdown(): Promise<void>;
}

/** How long a refused connection may keep sending before it is closed, ms. */
const REFUSED_LINGER_MS = 500;
/** Default of `FrontDoorOptions.shutdownGraceMs`. */
const SHUTDOWN_GRACE_MS = 5_000;
/** Least time between two warnings of live streams whose source failed, ms. */
const SOURCE_WARNING_MS = 10_000;

/**
 * Listens on `options.hostname:port` and serves `handler` behind the limits.
 *
 * @throws {Deno.errors.AddrInUse} when the port is taken.
 */
export function serveFrontDoor(options: FrontDoorOptions, handler: ClientHandler): FrontDoor {
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const byInnerAddress = new InnerAddresses<Connection>();
  const open = new Set<Connection>();
  const inner = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req, info) => {
      const connection = byInnerAddress.get(
        `${info.remoteAddr.hostname}:${info.remoteAddr.port}`,
      );
      if (!connection) {
        return rawJsonResponse(403, "connect to StreamBoard's public port, not this internal one");
      }
      connection.requestStarted();
      let closesConnection = false;
      info.completed.catch(() => {}).finally(() => connection.requestEnded(closesConnection));
      if (!URL.canParse(requestUrl(req))) {
        return rawJsonResponse(400, "the Host header and the request target do not form a URL");
      }
      const res = await handler(req, { address: connection.address });
      if (isLiveStream(req, res)) {
        connection.streamDirectly(res);
        closesConnection = true;
        return new Response(null, { status: 204, headers: { connection: "close" } });
      }
      closesConnection = res.headers.get("connection")?.toLowerCase() === "close";
      return res;
    },
  );
  const sourceFailed = sourceFailureWarner(options.log);
  let stopping = false;
  /** Connections being served, counted before any await so a burst cannot pass the cap. */
  let served = 0;

  const serve = async (client: Deno.TcpConn) => {
    if (served >= options.maxConnections) {
      await refuse(client);
      return;
    }
    served++;
    try {
      let upstream: Deno.TcpConn;
      try {
        upstream = await Deno.connect({ hostname: "127.0.0.1", port: inner.addr.port });
      } catch (error) {
        options.log.error(`front door: cannot reach the internal HTTP server: ${error}`);
        client.close();
        return;
      }
      const connection = new Connection(client, upstream, { ...options, sourceFailed });
      const from = `${upstream.localAddr.hostname}:${upstream.localAddr.port}`;
      byInnerAddress.set(from, connection);
      open.add(connection);
      try {
        await connection.relay();
      } finally {
        byInnerAddress.release(from, connection);
        open.delete(connection);
      }
    } finally {
      served--;
    }
  };

  const accepting = (async () => {
    while (!stopping) {
      let client: Deno.TcpConn;
      try {
        client = await listener.accept();
      } catch (error) {
        if (stopping) return;
        options.log.warn(`front door: accept failed (${error}); retrying in 100 ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      serve(client).catch((error) =>
        options.log.error(`front door: connection failed: ${error?.stack ?? error}`)
      );
    }
  })();

  return {
    addr: listener.addr as Deno.NetAddr,
    get connections() {
      return served;
    },
    shutdown: async () => {
      stopping = true;
      listener.close();
      await accepting;
      const innerStopped = inner.shutdown();
      const graceMs = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Live streams the front writes itself outlive the HTTP server's part in them.
      const drained = innerStopped.then(() =>
        Promise.all([...open].map((connection) => connection.streamEnded()))
      );
      const inTime = await Promise.race([
        drained.then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), graceMs)),
      ]);
      clearTimeout(timer);
      if (!inTime) {
        // A client that keeps a stream open or stops reading must not keep the server from stopping.
        options.log.warn(
          `front door: closing ${open.size} connection(s) still open ${graceMs} ms into the shutdown: ${
            [...open].map((connection) => connection.describe()).join(", ")
          }`,
        );
        for (const connection of open) connection.close();
        await innerStopped;
      }
      for (const connection of open) connection.close();
    },
  };
}

/** What a connection is told by its front door. */
interface ConnectionOptions extends FrontDoorOptions {
  /** Reports a live stream ended by its source's failure. */
  sourceFailed(where: string, error: Error): void;
}

/**
 * Warns of live streams ended by their source's failure (a page read
 * failing): the first at once, then at most one every `SOURCE_WARNING_MS`
 * saying how many ended since, since a store that is down fails every
 * viewer's snapshot and each browser retries every few seconds.
 */
function sourceFailureWarner(log: Logger): ConnectionOptions["sourceFailed"] {
  let warnedAt = -Infinity;
  let unreported = 0;
  return (where, error) => {
    unreported++;
    const now = performance.now();
    if (now - warnedAt < SOURCE_WARNING_MS) return;
    const count = unreported > 1
      ? ` (${unreported} live streams ended so since the last warning)`
      : "";
    log.warn(`front door: the live stream to ${where} ended: ${error.message}${count}`);
    warnedAt = now;
    unreported = 0;
  };
}

/** One client connection and its relay to the internal server. */
class Connection {
  readonly address: string;
  readonly #port: number;
  readonly #client: Deno.TcpConn;
  readonly #upstream: Deno.TcpConn;
  readonly #options: ConnectionOptions;
  /** Waiting for a request's headers, serving requests, or idle between them. */
  #phase: "headers" | "serving" | "idle" = "headers";
  /** Whether part of the awaited request has arrived. */
  #partial = false;
  #inFlight = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writes: Promise<void> = Promise.resolve();
  /** The last write towards the internal server. */
  #relayed: Promise<void> = Promise.resolve();
  /** Set once a response said `Connection: close`: what the client still sends is not relayed. */
  #ending = false;
  #closed = false;
  /** Resolves when the client's side ends (its bytes are read, and dropped, until then). */
  #clientGone: Promise<void> = Promise.resolve();
  /** A live stream written to the client by the front itself, once the HTTP server let it go. */
  #direct: Promise<void> | undefined;

  constructor(client: Deno.TcpConn, upstream: Deno.TcpConn, options: ConnectionOptions) {
    this.#client = client;
    this.#upstream = upstream;
    this.#options = options;
    this.address = client.remoteAddr.hostname;
    this.#port = client.remoteAddr.port;
    try {
      client.setNoDelay(true);
      upstream.setNoDelay(true);
    } catch {
      // a socket already gone; relay() finds out and closes the pair
    }
    this.#arm(options.headerTimeoutMs, () => this.#headersLate());
  }

  /**
   * Relays bytes both ways until either side closes, or, for a live stream,
   * until the stream ends or the client leaves.
   */
  async relay(): Promise<void> {
    const up = copy(this.#client, (bytes) => {
      if (this.#ending || this.#direct) return Promise.resolve();
      if (this.#phase === "idle") {
        this.#phase = "headers";
        this.#arm(this.#options.headerTimeoutMs, () => this.#headersLate());
      }
      if (this.#phase === "headers") this.#partial = true;
      return this.#relayed = writeAll(this.#upstream, bytes);
    }).then(() => this.#ending || this.#direct ? undefined : this.#upstream.closeWrite());
    this.#clientGone = up.then(() => {}, () => {});
    const down = copy(
      this.#upstream,
      (bytes) => this.#direct ? Promise.resolve() : this.#send(bytes),
    );
    await Promise.race([down, up.then(() => down)]).catch(() => {});
    if (this.#direct) {
      closeQuietly(this.#upstream);
      await this.#direct;
    }
    this.close();
    await Promise.allSettled([up, down]);
  }

  /**
   * Writes `res` (a live stream) to the client from here on, head and body,
   * ended by closing the connection; the HTTP server's own answer to the
   * request is dropped. The stream is cancelled when the client leaves.
   */
  streamDirectly(res: Response): void {
    this.#inFlight++;
    this.#direct = this.#writeStream(res).finally(() => this.#inFlight--);
  }

  /** Resolves when the live stream the front writes itself (if any) has ended. */
  streamEnded(): Promise<void> {
    return this.#direct ?? Promise.resolve();
  }

  /** The internal server has a request's headers. */
  requestStarted(): void {
    this.#disarm();
    this.#phase = "serving";
    this.#partial = false;
    this.#inFlight++;
  }

  /**
   * The internal server has handed over a response's last byte. After one
   * that closes the connection (a refused body, say), the internal server is
   * told the request ends here, rather than reading the rest of a body nobody
   * wants.
   */
  requestEnded(closing: boolean): void {
    this.#inFlight--;
    if (closing) this.#end();
    if (this.#inFlight > 0 || this.#ending) return;
    this.#phase = "idle";
    this.#arm(this.#options.keepAliveTimeoutMs, () => this.#end());
  }

  /** The client's port, phase and requests in progress, for the log. */
  describe(): string {
    const phase = this.#direct ? "streaming" : this.#ending ? "ending" : this.#phase;
    return `${this.address}:${this.#port} ${phase}` +
      (this.#inFlight > 0 ? ` (${this.#inFlight} request(s) in progress)` : "");
  }

  /** Closes both sides. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    closeQuietly(this.#client);
    closeQuietly(this.#upstream);
  }

  /**
   * No further request is relayed: the internal server reads the end of the
   * client's bytes and closes its side once its responses are written, and
   * `relay` closes the connection when those bytes have reached the client.
   */
  #end(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#disarm();
    this.#relayed.then(() => this.#upstream.closeWrite()).catch(() => this.close());
  }

  /** Headers not complete in time: a client that sent part of a request is told why. */
  #headersLate(): void {
    if (!this.#partial) return this.close();
    const message = `the request's headers did not arrive within ${
      this.#options.headerTimeoutMs / 1000
    } s`;
    this.#send(rawResponseBytes(408, "Request Timeout", message))
      .catch(() => {})
      .finally(() => this.close());
  }

  async #writeStream(res: Response): Promise<void> {
    const source = liveSourceOf(res.body);
    if (source) return this.#writeSource(res, source);
    const reader = res.body!.getReader();
    // Cancelling ends a pending read and tells the stream's source its viewer left.
    this.#clientGone.then(() => reader.cancel());
    try {
      await this.#send(responseHead(res));
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        await this.#send(value);
      }
    } catch {
      // the client went away while written to: the stream is cancelled below
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  /**
   * Writes the chunks of a live response's source straight to the client,
   * without reading its body: no stream, queue or read result per chunk.
   */
  async #writeSource(res: Response, source: LiveSource): Promise<void> {
    this.#clientGone.then(() => source.end());
    try {
      await this.#send(responseHead(res));
      for (;;) {
        const chunks = await source.next().catch((error: Error) => {
          this.#options.sourceFailed(this.describe(), error);
          return null;
        });
        if (chunks === null) return;
        for (const chunk of chunks) await writeAll(this.#client, chunk);
      }
    } catch {
      // the client went away while written to: the stream ends below
    } finally {
      source.end();
    }
  }

  /** Writes to the client, one write after another (relayed bytes and the front's own answers). */
  #send(bytes: Uint8Array): Promise<void> {
    this.#writes = this.#writes.then(() => writeAll(this.#client, bytes));
    return this.#writes;
  }

  #arm(ms: number, fire: () => void): void {
    this.#disarm();
    this.#timer = setTimeout(fire, ms);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** First size of a relay's read buffer, enough for a request's head; it grows when reads fill it. */
const FIRST_BUFFER = 1024;
/** Largest relay read buffer. */
const MAX_BUFFER = 64 * 1024;

/**
 * Reads `from` until its end, handing each chunk to `write`. The buffer starts
 * small and doubles while reads fill it, so the many connections that carry
 * little (idle keep-alives, live streams' quiet request sides) hold little.
 */
async function copy(from: Deno.Conn, write: (bytes: Uint8Array) => Promise<void>): Promise<void> {
  let buffer = new Uint8Array(FIRST_BUFFER);
  for (;;) {
    const n = await from.read(buffer);
    if (n === null) return;
    await write(buffer.subarray(0, n));
    if (n === buffer.length && buffer.length < MAX_BUFFER) {
      buffer = new Uint8Array(buffer.length * 2);
    }
  }
}

/**
 * Whether the front writes `res` itself: a successful event stream answering
 * a GET, which lasts as long as its viewer watches.
 */
function isLiveStream(req: Request, res: Response): boolean {
  // `body` is read last: reading it turns a body of known length into a stream sent chunked.
  return req.method === "GET" && res.status === 200 &&
    (res.headers.get("content-type") ?? "").startsWith("text/event-stream") && res.body !== null;
}

/** The HTTP/1.1 head of a response whose body ends when the connection closes. */
function responseHead(res: Response): Uint8Array {
  let head = `HTTP/1.1 ${res.status} ${res.statusText || "OK"}\r\n`;
  for (const [name, value] of res.headers) {
    if (name === "content-length" || name === "transfer-encoding" || name === "connection") {
      continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  head += `date: ${new Date().toUTCString()}\r\nconnection: close\r\n\r\n`;
  return new TextEncoder().encode(head);
}

/** Closes a socket that may be closed already (the relay lets the internal side of a live stream go early). */
function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // closed already
  }
}

/** Writes all of `bytes` to `to`, however many writes the socket takes. */
export async function writeAll(to: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = await to.write(bytes);
  while (at < bytes.length) at += await to.write(bytes.subarray(at));
}

/** Answers a connection past the cap with 503, then closes it once it stops sending. */
async function refuse(client: Deno.TcpConn): Promise<void> {
  const message = "the server has as many connections open as it allows " +
    "(STREAMBOARD_MAX_CONNECTIONS); try again shortly";
  const timer = setTimeout(() => client.close(), REFUSED_LINGER_MS);
  try {
    await writeAll(client, rawResponseBytes(503, "Service Unavailable", message));
    await client.closeWrite();
    // Reading what the client sent before closing keeps the kernel from
    // answering it with a reset that would discard the 503.
    const sink = new Uint8Array(4096);
    while (await client.read(sink) !== null) { /* discarded */ }
  } catch {
    // the client went away first; nothing to tell it
  } finally {
    clearTimeout(timer);
    try {
      client.close();
    } catch {
      // already closed by the linger timer
    }
  }
}

/** The request's URL as the HTTP server built it from `Host` and the target, or "" when it could not. */
function requestUrl(req: Request): string {
  try {
    return req.url;
  } catch {
    return "";
  }
}

function rawJsonResponse(status: number, message: string): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...SECURITY_HEADERS },
  });
}

/** A whole HTTP/1.1 response that closes the connection, for answers given outside HTTP serving. */
function rawResponseBytes(status: number, reason: string, message: string): Uint8Array {
  const body = JSON.stringify({ error: message });
  const headers = {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(new TextEncoder().encode(body).length),
    connection: "close",
    ...SECURITY_HEADERS,
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  return new TextEncoder().encode(`HTTP/1.1 ${status} ${reason}\r\n${head}\r\n${body}`);
}
