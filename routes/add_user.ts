/**
 * `POST /add_user`: accepts one RandomUser record (or a whole API response
 * with `results`), validates it and produces it to the users topic as the
 * bytes it arrived as (the whole body, or each element of `results`).
 * Invalid input is refused with 400 and the reason; nothing half-valid gets in.
 */

import type { Handlers } from "../server/app.ts";
import { HttpError, json } from "../server/http_error.ts";
import { readJsonBody, requireWriteToken } from "../server/request_guards.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { validateUser } from "../pipeline/users/validate.ts";
import { isObject } from "../pipeline/validation.ts";
import { isRecordError } from "../pipeline/record_error.ts";
import { itemsOf } from "../pipeline/sources/json_spans.ts";

/** Largest body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

export const handler: Handlers = {
  async POST(req, ctx) {
    requireWriteToken(req, ctx.state.config.web.writeToken);
    const { value: body, bytes } = await readJsonBody(req, {
      maxBytes: MAX_BODY_BYTES,
      timeoutMs: ctx.state.config.web.bodyTimeoutMs,
    });
    const hasResults = isObject(body) && Array.isArray(body.results);
    const records: unknown[] = hasResults ? body.results as unknown[] : [body];
    if (records.length === 0) {
      throw new HttpError(400, "`results` is empty; send at least one user");
    }
    const now = ctx.state.now();
    const users = records.map((record, i) => {
      try {
        return validateUser(record, now);
      } catch (error) {
        if (!isRecordError(error)) throw error;
        const where = records.length > 1 || body !== record ? `results[${i}]: ` : "";
        throw new HttpError(400, `${where}${error.message}`);
      }
    });
    const sent = hasResults ? itemsOf(bytes, records).map((item) => item.bytes) : [bytes];
    await ctx.state.broker.produce(
      USERS.topic,
      users.map((u, i) => ({ key: u.uuid, value: sent[i], timestamp: now })),
    );
    return json({ accepted: users.length, uuids: users.map((u) => u.uuid) }, 202);
  },
};
