/** `/products`: the products VAT job's windows, server-rendered, then live through SSE. */

import type { Handlers, PageProps } from "../server/app.ts";
import type { ProductsSnapshot } from "../server/dashboards.ts";
import { Header } from "../components/Header.tsx";
import ProductsStatus from "../islands/ProductsStatus.tsx";
import OpenWindows from "../islands/OpenWindows.tsx";
import ClosedWindows from "../islands/ClosedWindows.tsx";

/** `GET /products` renders the page with the current snapshot. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    return ctx.render(await ctx.state.pages.products.read());
  },
};

/** The products page: watermark and rejections, open windows, closed windows with their CSV. */
export default function ProductsPage({ data }: PageProps<ProductsSnapshot>) {
  return (
    <>
      <Header current="/products" />
      <main>
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
