/** `/clicks`: the clickstream dashboard, server-rendered with current figures, then live through SSE. */

import type { Handlers, PageProps } from "../server/app.ts";
import type { ClicksSnapshot } from "../server/dashboards.ts";
import { Header } from "../components/Header.tsx";
import { ViewBar } from "../components/ViewBar.tsx";
import { readPageView } from "../server/pages.ts";
import ClickTotals from "../islands/ClickTotals.tsx";
import ClickRates from "../islands/ClickRates.tsx";
import TopItems, { topItems } from "../islands/TopItems.tsx";
import RatingsTable from "../islands/RatingsTable.tsx";
import DeviceSplit from "../islands/DeviceSplit.tsx";
import SessionTable from "../islands/SessionTable.tsx";

/** `GET /clicks` renders the page with the current snapshot. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    return ctx.render(await readPageView(ctx.state.pages, "clicks", ctx.url.searchParams));
  },
};

/** The clickstream page: totals, rates, top items, ratings, devices and sessions. */
export default function ClicksPage({ data, url }: PageProps<ClicksSnapshot>) {
  return (
    <>
      <Header current="/clicks" />
      <main>
        <ViewBar page="clicks" url={url} />
        <ClickTotals initial={{ totals: data.totals, rejected: data.rejected }} />
        <div class="row row-wide">
          <ClickRates initial={{ rates: data.rates, rateSeries: data.rateSeries }} />
          <DeviceSplit initial={data.devices} />
        </div>
        <div class="row">
          <TopItems kind="viewed" initial={topItems(data, "viewed")} />
          <TopItems kind="clicked" initial={topItems(data, "clicked")} />
          <RatingsTable initial={data.ratings} />
        </div>
        <div class="row">
          <SessionTable initial={data.sessions} />
        </div>
      </main>
    </>
  );
}
