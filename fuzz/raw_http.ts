/**
 * A bare HTTP/1.1 exchange over a TCP socket: the request goes out byte for
 * byte as given (malformed request lines, raw NUL, absolute-form targets,
 * lying lengths), which `fetch` would refuse or normalise.
 */

/** What came back on the socket. */
export interface RawAnswer {
  /** Status code, or `undefined` when the server closed without an answer. */
  status?: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** True when nothing ended the exchange within the time given. */
  timedOut: boolean;
}

import { concat } from "./hostile_values.ts";

const decoder = new TextDecoder("latin1");

/** One exchange: where to, what, how long to wait, whether to stop sending (an aborted upload). */
export interface RawExchange {
  port: number;
  request: Uint8Array;
  timeoutMs: number;
  /** Shuts the sending side after the request, as a client that gives up mid-upload. */
  halfClose?: boolean;
}

/** Sends a request to 127.0.0.1 and reads the answer until close (or SSE headers). */
export async function rawExchange(exchange: RawExchange): Promise<RawAnswer> {
  const { port, request, timeoutMs } = exchange;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const chunks: Uint8Array[] = [];
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }, timeoutMs);
  try {
    await conn.write(request).catch(() => 0);
    if (exchange.halfClose) await conn.closeWrite().catch(() => {});
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
      const head = decoder.decode(concat(...chunks));
      if (
        /\r\n\r\n/.test(head) &&
        /content-type:\s*text\/event-stream/i.test(head.split("\r\n\r\n")[0])
      ) break;
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
  return { ...parse(concat(...chunks)), timedOut };
}

function parse(bytes: Uint8Array): Omit<RawAnswer, "timedOut"> {
  const text = decoder.decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!match || end < 0) return { headers: {}, body: new Uint8Array() };
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  let body: Uint8Array = bytes.slice(end + 4);
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = dechunk(body);
  return { status: Number(match[1]), headers, body };
}

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = decoder.decode(bytes.slice(at, at + 20)).indexOf("\r\n");
    if (lineEnd < 0) break;
    const size = parseInt(decoder.decode(bytes.slice(at, at + lineEnd)), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.slice(at + lineEnd + 2, at + lineEnd + 2 + size));
    at += lineEnd + 2 + size + 2;
  }
  return concat(...parts);
}
