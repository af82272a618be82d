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
import { hubViewer, liveResponse, type SseOptions } from "./sse.ts";

/** Frames of events that carry a whole snapshot (replaced by the view's own). */
const SNAPSHOT_FRAME = /^id: [^\n]*\nevent: (snapshot|update)\n/;

/** Streams the live snapshots of one view (`read`) of `hub`'s page to one viewer. */
export function viewSseResponse(
  hub: LiveHub,
  read: () => Promise<unknown>,
  options: Omit<SseOptions, "lastEventId">,
): Response {
  const { client, end } = hubViewer(hub, { ...options, lastEventId: null, needsSnapshot: false });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const snapshot = async (event: string) =>
    frame({ id: hub.lastId, event, data: JSON.stringify(await read()) });
  let opened = false;
  return liveResponse({
    async next() {
      if (!opened) {
        opened = true;
        const first = await snapshot("snapshot");
        return [encoder.encode(`retry: ${options.retryMs}\n: connected\n\n${first}`)];
      }
      const chunks = await client.take();
      if (chunks === null) return null;
      // A chunk can hold several frames (an update and its latency event travel together).
      const frames = chunks.flatMap((chunk) => decoder.decode(chunk).split(/(?<=\n\n)/))
        .filter((f) => f.length > 0);
      const changed = client.needsSnapshot || frames.some((f) => SNAPSHOT_FRAME.test(f));
      client.needsSnapshot = false;
      const passed = frames.filter((f) => !SNAPSHOT_FRAME.test(f));
      const out = [...(changed ? [await snapshot("update")] : []), ...passed];
      return out.length > 0 ? [encoder.encode(out.join(""))] : [];
    },
    end,
  });
}
