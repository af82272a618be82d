/**
 * `GET /api/export/<page>/<table>?format=csv|ndjson|parquet[&<view>]`: a table
 * or chart of a page as a download, in the view (time range and filters) the
 * query states, streamed as it is read (see `server/table_export.ts`).
 */

import type { Handlers } from "../../../../server/app.ts";
import { HttpError } from "../../../../server/http_error.ts";
import { parseView } from "../../../../server/page_filters.ts";
import { pageTable } from "../../../../server/page_tables.ts";
import {
  CONTENT_TYPES,
  EXPORT_FORMATS,
  exportFormat,
  exportStream,
} from "../../../../server/table_export.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    const { page, table } = ctx.params;
    const formats = ctx.url.searchParams.getAll("format");
    const format = formats.length === 1 ? exportFormat(formats[0]) : undefined;
    if (!format) {
      throw new HttpError(
        400,
        `format must be given once, one of ${EXPORT_FORMATS.join(", ")}`,
      );
    }
    const view = parseView(page, ctx.url.searchParams, { allow: ["format"] });
    const rows = await pageTable(
      { raw: ctx.state.raw, pages: ctx.state.pages, now: ctx.state.now },
      { page, table, view },
    );
    const day = new Date(ctx.state.now()).toISOString().slice(0, 10);
    return new Response(exportStream(rows, format), {
      headers: {
        "content-type": CONTENT_TYPES[format],
        "content-disposition":
          `attachment; filename="streamboard-${page}-${table}-${day}.${format}"`,
      },
    });
  },
};
