/**
 * `GET /api/console/dead-letters/<stream>?reason=&from=&to=&limit=&cursor=`:
 * a stream's dead letters, newest first, each with its reason, code,
 * exception, source position, original bytes and the outcome of its replay.
 * When more may match, a `Link: <…>; rel="next"` header gives the next page.
 */

import type { Handlers } from "../../../../server/app.ts";
import { HttpError, json } from "../../../../server/http_error.ts";
import { queryInt } from "../../../../server/query_int.ts";
import { filterOfQuery } from "../../../../server/dead_letter_view.ts";
import {
  cursorText,
  deadLetterViews,
  MAX_PER_REQUEST,
  parseCursor,
  scanDeadLetters,
  streamOf,
} from "../../../../server/dead_letters.ts";

const PARAMS = ["reason", "from", "to", "limit", "cursor"];

export const handler: Handlers = {
  async GET(_req, ctx) {
    const module = streamOf(ctx.state.registry, ctx.params.stream);
    const params = ctx.url.searchParams;
    const unknown = [...params.keys()].find((name) => !PARAMS.includes(name));
    if (unknown !== undefined) {
      throw new HttpError(
        400,
        `unknown parameter ${JSON.stringify(unknown.slice(0, 40))}; use ${PARAMS.join(", ")}`,
      );
    }
    const filter = filterOfQuery(params);
    const limit = queryInt(params, "limit", { min: 1, max: MAX_PER_REQUEST, fallback: 100 });
    const cursors = params.getAll("cursor");
    if (cursors.length > 1) throw new HttpError(400, "cursor may be given once");
    const cursor = cursors.length === 1 ? parseCursor(cursors[0]) : undefined;
    const { records, next } = await scanDeadLetters(ctx.state.broker, module.topics.dlqTopic, {
      filter,
      limit,
      cursor,
    });
    const headers: Record<string, string> = {};
    if (next) {
      const url = new URL(ctx.url.pathname, ctx.url);
      for (const [name, value] of params) if (name !== "cursor") url.searchParams.set(name, value);
      url.searchParams.set("cursor", cursorText(next));
      headers.link = `<${url.pathname}${url.search}>; rel="next"`;
    }
    return json(await deadLetterViews(ctx.state.raw, records), 200, headers);
  },
};
