/**
 * The SSE stream of a narrowed view of a page (`/api/stream/<page>?<view>`):
 * the hub's events say when the page changed; each time, the view's snapshot
 * is read again through the stores (filtered there, never in the browser)
 * and sent as one `update`. Changes that come while a read runs are folded
 * into the next read, so a slow view reads as often as it can, never more.
 * Other events (`latency`) pass through. A reconnecting viewer always starts
 * with a fresh snapshot: the hub's replay holds whole-page snapshots only.
 */

import type { LiveHub } from "./live_hub.ts";
import { frame } from "./live_hub.ts";
import type { SseOptions } from "./sse.ts";

/** Frames of events that carry a whole snapshot (replaced by the view's own). */
const SNAPSHOT_FRAME = /^id: [^\n]*\nevent: (snapshot|update)\n/;

/** Streams the live snapshots of one view (`read`) of `hub`'s page to one viewer. */
export function viewSseResponse(
  hub: LiveHub,
  read: () => Promise<unknown>,
  options: Omit<SseOptions, "lastEventId">,
): Response {
  const client = hub.connect(null);
  client.needsSnapshot = false;
  const encoder = new TextEncoder();
  let ended = false;
  const end = () => {
    client.close();
    if (ended) return;
    ended = true;
    options.onClose?.();
  };
  const snapshot = async (event: string) =>
    frame({ id: hub.lastId, event, data: JSON.stringify(await read()) });
  let opened = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!opened) {
          opened = true;
          const first = await snapshot("snapshot");
          controller.enqueue(encoder.encode(`retry: ${options.retryMs}\n: connected\n\n${first}`));
          return;
        }
        const frames = await client.take(options.heartbeatMs);
        if (client.closed) {
          end();
          controller.close();
          return;
        }
        const changed = client.needsSnapshot || frames.some((f) => SNAPSHOT_FRAME.test(f));
        client.needsSnapshot = false;
        const passed = frames.filter((f) => !SNAPSHOT_FRAME.test(f));
        const out = [...(changed ? [await snapshot("update")] : []), ...passed];
        controller.enqueue(encoder.encode(out.length > 0 ? out.join("") : ": heartbeat\n\n"));
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    cancel() {
      end();
    },
  }, { highWaterMark: 0 });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
