/** `/sales`: the sales dashboard, server-rendered with current figures, then live through SSE. */

import type { Handlers, PageProps } from "../server/app.ts";
import type { SalesSnapshot } from "../server/dashboards.ts";
import { Header } from "../components/Header.tsx";
import { ViewBar } from "../components/ViewBar.tsx";
import { readPageView } from "../server/pages.ts";
import SalesKpis from "../islands/SalesKpis.tsx";
import SalesMap from "../islands/SalesMap.tsx";
import SalesDonut from "../islands/SalesDonut.tsx";
import SalesMonthly from "../islands/SalesMonthly.tsx";
import SalesTable from "../islands/SalesTable.tsx";

/** `GET /sales` renders the page with the current snapshot. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    return ctx.render(await readPageView(ctx.state.pages, "sales", ctx.url.searchParams));
  },
};

/** The sales page: KPIs, the map, revenue by product and by month, the product table. */
export default function SalesPage({ data, url }: PageProps<SalesSnapshot>) {
  return (
    <>
      <Header current="/sales" />
      <main>
        <ViewBar
          page="sales"
          url={url}
          suggestions={{
            product: [...new Set(data.byProduct.map((p) => p.product))],
            category: [...new Set(data.byProduct.map((p) => p.category))],
            city: [...new Set(data.byCity.map((c) => c.city))],
          }}
        />
        <SalesKpis initial={{ kpi: data.kpi, rejected: data.rejected }} />
        <section class="card">
          <h2>Sales by location</h2>
          <SalesMap initial={data.byCity} />
        </section>
        <div class="row">
          <section class="card">
            <h2>Revenue by product</h2>
            <SalesDonut initial={data.byProduct} />
          </section>
          <section class="card">
            <h2>Revenue by month</h2>
            <SalesMonthly initial={data.byMonth} />
          </section>
        </div>
        <section class="card">
          <h2>Sales by product</h2>
          <SalesTable initial={data.byProduct} />
        </section>
      </main>
    </>
  );
}
