/** `/`: the users page, server-rendered with its snapshot, then live through `/api/stream/users`. */

import type { Handlers, PageProps } from "../server/app.ts";
import type { UsersSnapshot } from "../server/dashboards.ts";
import { Header } from "../components/Header.tsx";
import { ViewBar } from "../components/ViewBar.tsx";
import { readPageView } from "../server/pages.ts";
import UserCounters from "../islands/UserCounters.tsx";
import GenderPie from "../islands/GenderPie.tsx";
import LastUser from "../islands/LastUser.tsx";
import UserFeed from "../islands/UserFeed.tsx";

export const handler: Handlers = {
  async GET(_req, ctx) {
    return ctx.render(await readPageView(ctx.state.pages, "users", ctx.url.searchParams));
  },
};

export default function UsersPage({ data, url }: PageProps<UsersSnapshot>) {
  return (
    <>
      <Header current="/" />
      <main>
        <ViewBar page="users" url={url} />
        <UserCounters initial={data.stats} />
        <div class="row">
          <LastUser initial={data.users[0] ?? null} />
          <section class="card">
            <h2>Gender split</h2>
            <GenderPie initial={data.stats} />
          </section>
          <section class="card export">
            <h2>Export</h2>
            <p class="muted">Every stored user as CSV (UTF-8, RFC 4180).</p>
            <a class="button" href="/export/csv" download data-testid="csv-download">
              Download CSV
            </a>
          </section>
        </div>
        <UserFeed initial={data.users} />
      </main>
    </>
  );
}
