/**
 * `POST /api/console/dead-letters/<stream>/replay`: sends dead letters back to
 * the stream's source topic, chosen by position (`{ "offsets": [...] }`) or
 * by filter (`{ "reason", "from", "to" }`, `MAX_PER_REQUEST` at most, and a
 * `next` cursor to go on). Needs the write token when one is set.
 * Answers `{ replayed: [{partition, offset}], skipped: [{partition, offset, why}], next }`.
 */

import type { Handlers } from "../../../../../server/app.ts";
import { json } from "../../../../../server/http_error.ts";
import { readJsonBody, requireWriteToken } from "../../../../../server/request_guards.ts";
import { parseReplayRequest } from "../../../../../server/replay_request.ts";
import {
  cursorText,
  MAX_PER_REQUEST,
  readDeadLetters,
  replayDeadLetters,
  type ScanCursor,
  scanDeadLetters,
  type Skipped,
  streamOf,
} from "../../../../../server/dead_letters.ts";
import type { BrokerRecord } from "../../../../../pipeline/ports.ts";

/** Largest body accepted, bytes (enough for `MAX_PER_REQUEST` positions). */
export const MAX_BODY_BYTES = 64 * 1024;

export const handler: Handlers = {
  async POST(req, ctx) {
    requireWriteToken(req, ctx.state.config.web.writeToken);
    const { broker, raw } = ctx.state;
    const { topic, dlqTopic } = streamOf(ctx.state.registry, ctx.params.stream).topics;
    const { value } = await readJsonBody(req, {
      maxBytes: MAX_BODY_BYTES,
      timeoutMs: ctx.state.config.web.bodyTimeoutMs,
    });
    const request = parseReplayRequest(value);
    let records: BrokerRecord[];
    let missing: Skipped[] = [];
    let next: ScanCursor | null = null;
    if (request.kind === "offsets") {
      ({ records, skipped: missing } = await readDeadLetters(broker, dlqTopic, request.positions));
    } else {
      ({ records, next } = await scanDeadLetters(broker, dlqTopic, {
        filter: request.filter,
        limit: MAX_PER_REQUEST,
        cursor: request.cursor,
      }));
    }
    const result = await replayDeadLetters({ broker, raw }, topic, records);
    return json(
      {
        replayed: result.replayed,
        skipped: [...missing, ...result.skipped],
        next: next && cursorText(next),
      },
      202,
    );
  },
};
