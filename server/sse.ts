/**
 * SSE responses whose chunks come from a `LiveSource`. The body is a
 * `ReadableStream` for whoever reads responses the usual way; the front door
 * (`front_door.ts`) instead asks the source for its chunks and writes them to
 * the viewer's socket itself, with no stream, queue or read result per chunk
 * (with ten thousand viewers that machinery cost more than the writes).
 *
 * `sseResponse` streams a hub's events to one viewer: a `retry:` hint, then
 * a snapshot or the replayed events it missed, then live events as they
 * come, with heartbeat comments while nothing happens. The chunks are the
 * hub's own bytes, shared by every viewer: nothing is encoded or copied per
 * viewer.
 */

import type { LiveClient, LiveHub } from "./live_hub.ts";

/** Timing of an SSE stream. */
export interface SseOptions {
  /** `Last-Event-ID` sent by a reconnecting browser. */
  lastEventId?: string | null;
  /** Reconnect delay suggested to the browser, in ms. */
  retryMs: number;
  /** Interval of heartbeat comments, in ms. */
  heartbeatMs: number;
  /** Called once when the viewer's stream ends, however it ends. */
  onClose?: () => void;
}

/** Where the chunks of one viewer's live stream come from. */
export interface LiveSource {
  /**
   * The next chunks to send, waiting until there are some; `null` once the
   * stream has ended (whoever writes it then calls `end`).
   */
  next(): Promise<Uint8Array[] | null>;
  /** Ends the stream (the viewer left, or writing to it failed); again is harmless. */
  end(): void;
}

const encoder = new TextEncoder();
/** The comment line a quiet stream sends so proxies and browsers keep it open. */
export const HEARTBEAT: Uint8Array = encoder.encode(": heartbeat\n\n");

/** The source behind each live response's body, for a server that writes it itself. */
const sources = new WeakMap<ReadableStream<Uint8Array>, LiveSource>();

/**
 * The source of a response body made by `liveResponse`, if it is one. A
 * server writing the source's chunks must not read the body as well.
 */
export function liveSourceOf(body: ReadableStream<Uint8Array> | null): LiveSource | undefined {
  return body === null ? undefined : sources.get(body);
}

/** A `text/event-stream` response of `source`, never cached or buffered by a proxy. */
export function liveResponse(source: LiveSource): Response {
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunks = await source.next();
        if (chunks === null) {
          source.end();
          controller.close();
          return;
        }
        for (const chunk of chunks) controller.enqueue(chunk);
      } catch (error) {
        source.end();
        controller.error(error);
      }
    },
    cancel() {
      source.end();
    },
  }, { highWaterMark: 0 });
  sources.set(body, source);
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}

/**
 * A viewer of `hub` with its heartbeat timer; `end` closes it and calls
 * `onClose` once, however the stream ends.
 */
export function hubViewer(
  hub: LiveHub,
  options: SseOptions & { needsSnapshot?: boolean },
): { client: LiveClient; end: () => void } {
  const client = hub.connect(options.lastEventId);
  if (options.needsSnapshot === false) client.needsSnapshot = false;
  const heartbeat = setInterval(() => client.ping(HEARTBEAT), options.heartbeatMs);
  let ended = false;
  const end = () => {
    clearInterval(heartbeat);
    client.close();
    if (ended) return;
    ended = true;
    options.onClose?.();
  };
  return { client, end };
}

/** Streams live events of `hub` to one viewer. */
export function sseResponse(hub: LiveHub, options: SseOptions): Response {
  const { client, end } = hubViewer(hub, options);
  let opened = false;
  return liveResponse({
    next() {
      if (!opened) {
        opened = true;
        return Promise.resolve([encoder.encode(`retry: ${options.retryMs}\n: connected\n\n`)]);
      }
      if (client.needsSnapshot) {
        client.needsSnapshot = false;
        return hub.snapshotFrame().then((bytes) => [bytes]);
      }
      return client.take();
    },
    end,
  });
}
