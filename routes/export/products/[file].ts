/** `GET /export/products/<file>`: one closed window's CSV file from `<data dir>/csv/`. */

import type { Handlers } from "../../../server/app.ts";
import { HttpError } from "../../../server/http_error.ts";
import { isWindowFileName } from "../../../pipeline/products/window_csv.ts";
import { csvDir } from "../../../pipeline/products/products_stream.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    const name = ctx.params.file;
    if (!isWindowFileName(name)) {
      throw new HttpError(404, `"${name}" is not a products window file`);
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(`${csvDir(ctx.state.config.stores.dataDir)}/${name}`, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new HttpError(404, `window file ${name} does not exist (yet)`);
      }
      throw error;
    }
    return new Response(file.readable, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
      },
    });
  },
};
