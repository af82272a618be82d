/**
 * `GET /api/console/topics/<topic>/messages`: browse a topic's messages
 * (`partition`, `offset`, `from`, `limit`, `filter`; `format=ndjson` for a
 * download). `POST` with `{ key, headers, value }` produces a test message (its value the bytes of `value` as sent);
 * it needs the write token when one is set.
 */

import type { Handlers } from "../../../../../server/app.ts";
import { json } from "../../../../../server/http_error.ts";
import { readJsonBody, requireWriteToken } from "../../../../../server/request_guards.ts";
import {
  describedTopic,
  messagesResponse,
  parseTestMessage,
  testMessageValueBytes,
} from "../../../../../server/console_messages.ts";

/** Largest test message accepted, in bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export const handler: Handlers = {
  GET(_req, ctx) {
    const ndjson = ctx.url.searchParams.get("format") === "ndjson";
    return messagesResponse(ctx, ndjson);
  },

  async POST(req, ctx) {
    requireWriteToken(req, ctx.state.config.web.writeToken);
    const topic = await describedTopic(ctx.state.broker, ctx.params.topic);
    const { value: body, bytes } = await readJsonBody(req, {
      maxBytes: MAX_MESSAGE_BYTES,
      timeoutMs: ctx.state.config.web.bodyTimeoutMs,
    });
    const message = parseTestMessage(body);
    const timestamp = ctx.state.now();
    const value = testMessageValueBytes(bytes);
    await ctx.state.broker.produce(topic.name, [{
      key: message.key,
      headers: message.headers,
      value,
      timestamp,
    }]);
    return json({ produced: 1, topic: topic.name, key: message.key, timestamp }, 202);
  },
};
