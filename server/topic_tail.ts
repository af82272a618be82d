/**
 * The console's live tail of a topic over SSE
 * (`/api/console/topics/<topic>/tail`): a `snapshot` event with the newest
 * messages that match the browse, then a `message` event for each new record
 * of the topic that matches it, as the broker delivers them.
 */

import type { RouteContext } from "./app.ts";
import { HttpError } from "./http_error.ts";
import { LiveHub } from "./live_hub.ts";
import { sseResponse } from "./sse.ts";
import {
  browseMessages,
  describedTopic,
  matchesQuery,
  parseMessageQuery,
  toConsoleMessage,
} from "./console_messages.ts";

/** Reconnect delay suggested to browsers, in ms. */
const RETRY_MS = 2000;
/**
 * Events a tail keeps for a browser that reconnects, and frames it buffers
 * for one that reads slowly (past that it is sent a fresh snapshot).
 */
const TAIL_BUFFER = 500;

/**
 * Streams the tail `ctx.url` asks for (`partition`, `limit`, `filter`, as a
 * browse of the newest) to one viewer, holding one of its client's viewer
 * slots while it runs. The broker tail starts before the snapshot is read, so
 * no record falls between them (one may show in both: the browser keeps one
 * message per partition and offset).
 *
 * @throws {HttpError} 400 for a bad parameter or an `offset` or `from` (a tail follows the newest), 404 for an unknown topic, 429 past the viewer cap
 */
export async function topicTailResponse(ctx: RouteContext): Promise<Response> {
  const { broker, config, log } = ctx.state;
  const topic = await describedTopic(broker, ctx.params.topic);
  const query = parseMessageQuery(ctx.url.searchParams, topic);
  if (query.offset !== undefined || query.from !== undefined) {
    throw new HttpError(400, "a tail follows the newest messages; offset and from do not apply");
  }
  const release = ctx.viewers.acquire(ctx.client.address);
  const stop = new AbortController();
  let ready!: () => void;
  const tailing = new Promise<void>((resolve) => (ready = resolve));
  const hub = new LiveHub({
    replay: TAIL_BUFFER,
    clientBuffer: TAIL_BUFFER,
    snapshot: async () => {
      await tailing;
      return await browseMessages(broker, topic, query);
    },
  });
  broker.tail({
    topics: [topic.name],
    signal: stop.signal,
    onReady: ready,
    handle: (batch) => {
      for (const record of batch.records) {
        if (matchesQuery(query, record)) hub.publish("message", toConsoleMessage(record));
      }
    },
  }).catch((error) => {
    if (!stop.signal.aborted) log.warn(`tail of ${topic.name}: ${(error as Error).message}`);
  }).finally(() => {
    // Ends the viewer's stream; its browser reconnects and starts a new tail.
    ready();
    hub.close();
  });
  return sseResponse(hub, {
    lastEventId: null,
    retryMs: RETRY_MS,
    heartbeatMs: config.web.sseHeartbeatMs,
    onClose: () => {
      stop.abort();
      release();
    },
  });
}
