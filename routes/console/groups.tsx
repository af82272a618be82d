/** `/console/groups`: the consumer groups with lag in records and seconds, Burrow's status and lag history, live through SSE. */

import type { Handlers, PageProps } from "../../server/app.ts";
import { GROUPS_PAGE, type GroupsSnapshot } from "../../server/groups_data.ts";
import { pageNamed } from "../../server/pages.ts";
import { Header } from "../../components/Header.tsx";
import ConsumerGroups from "../../islands/ConsumerGroups.tsx";

/** `GET /console/groups` renders the page with the groups as last sampled. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    return ctx.render(await pageNamed(ctx.state.pages, GROUPS_PAGE).read());
  },
};

/** The consumer groups page. */
export default function GroupsPage({ data }: PageProps<GroupsSnapshot>) {
  return (
    <>
      <Header current="/console/groups" live={GROUPS_PAGE} />
      <main>
        <h1>Consumer groups</h1>
        <p class="muted">
          Lag in records and in seconds (how long ago the newest record a group has not read yet was
          written), a status in Burrow's terms and the lag of the last hour.
        </p>
        <ConsumerGroups initial={data} page={GROUPS_PAGE} />
      </main>
    </>
  );
}
