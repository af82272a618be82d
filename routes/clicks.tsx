/** `/clicks`: the clickstream dashboard, server-rendered with current figures, then live through SSE. */

import type { Handlers, PageProps } from "../server/app.ts";
import type { ClicksSnapshot } from "../server/dashboards.ts";
import { Header } from "../components/Header.tsx";
import ClickTotals from "../islands/ClickTotals.tsx";
import ClickRates from "../islands/ClickRates.tsx";
import TopItems, { topItems } from "../islands/TopItems.tsx";
import RatingsTable from "../islands/RatingsTable.tsx";
import DeviceSplit from "../islands/DeviceSplit.tsx";
import SessionTable from "../islands/SessionTable.tsx";

/** `GET /clicks` renders the page with the current snapshot. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    return ctx.render(await ctx.state.pages.clicks.read());
  },
};

/** The clickstream page: totals, rates, top items, ratings, devices and sessions. */
export default function ClicksPage({ data }: PageProps<ClicksSnapshot>) {
  return (
    <>
      <Header current="/clicks" />
      <main>
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
