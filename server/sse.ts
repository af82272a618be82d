/**
 * The SSE response of one viewer: a `retry:` hint, then a snapshot or the
 * replayed events it missed, then live events as they come, with heartbeat
 * comments while nothing happens. Ends when the viewer leaves (the body is
 * cancelled) or the hub closes. The chunks are the hub's own bytes, shared by
 * every viewer: nothing is encoded or copied per viewer.
 */

import type { LiveHub } from "./live_hub.ts";

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

const encoder = new TextEncoder();
/** The comment line a quiet stream sends so proxies and browsers keep it open. */
export const HEARTBEAT: Uint8Array = encoder.encode(": heartbeat\n\n");

/** A `text/event-stream` response of `body`, never cached or buffered by a proxy. */
export function eventStream(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}

/** Streams live events of `hub` to one viewer. */
export function sseResponse(hub: LiveHub, options: SseOptions): Response {
  const client = hub.connect(options.lastEventId);
  const heartbeat = setInterval(() => client.ping(HEARTBEAT), options.heartbeatMs);
  let ended = false;
  const end = () => {
    clearInterval(heartbeat);
    client.close();
    if (ended) return;
    ended = true;
    options.onClose?.();
  };
  let opened = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!opened) {
          opened = true;
          controller.enqueue(encoder.encode(`retry: ${options.retryMs}\n: connected\n\n`));
        }
        if (client.needsSnapshot) {
          client.needsSnapshot = false;
          controller.enqueue(await hub.snapshotFrame());
          return;
        }
        const chunks = await client.take();
        if (client.closed) {
          end();
          controller.close();
          return;
        }
        for (const chunk of chunks) controller.enqueue(chunk);
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    cancel() {
      end();
    },
  }, { highWaterMark: 0 });
  return eventStream(body);
}
