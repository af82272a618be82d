/** `GET /api/pages/<page>`: a page's current snapshot as JSON, the one its SSE `snapshot` carries. */

import type { Handlers } from "../../../server/app.ts";
import { json } from "../../../server/http_error.ts";
import { pageNamed } from "../../../server/pages.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    return json(await pageNamed(ctx.state.pages, ctx.params.page).read());
  },
};
