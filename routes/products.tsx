/** `/products`: the products VAT job's windows, server-rendered, then live through SSE. */

import type { Handlers, PageProps } from "../server/app.ts";
import type { ProductsSnapshot } from "../server/dashboards.ts";
import { Header } from "../components/Header.tsx";
import { ViewBar } from "../components/ViewBar.tsx";
import { readPageView } from "../server/pages.ts";
import ProductsStatus from "../islands/ProductsStatus.tsx";
import OpenWindows from "../islands/OpenWindows.tsx";
import ClosedWindows from "../islands/ClosedWindows.tsx";

/** `GET /products` renders the page with the current snapshot. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    return ctx.render(await readPageView(ctx.state.pages, "products", ctx.url.searchParams));
  },
};

/** The products page: watermark and rejections, open windows, closed windows with their CSV. */
export default function ProductsPage({ data, url }: PageProps<ProductsSnapshot>) {
  return (
    <>
      <Header current="/products" />
      <main>
        <ViewBar page="products" url={url} />
        <ProductsStatus
          initial={{
            watermark: data.watermark,
            rejected: data.rejected,
            open: data.open.length,
            closed: data.closed.length,
          }}
        />
        <OpenWindows initial={data.open} />
        <ClosedWindows initial={data.closed} />
      </main>
    </>
  );
}
