/** `/console`: the operations console's topics, server-rendered, then live through SSE. */

import type { Handlers, PageProps } from "../../server/app.ts";
import { Header } from "../../components/Header.tsx";
import ConsoleTopics from "../../islands/ConsoleTopics.tsx";
import { pageNamed } from "../../server/pages.ts";
import { CONSOLE_PAGE, type ConsoleSnapshot } from "../../server/console_topics.ts";

/** `GET /console` renders the topics as they are now. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    return ctx.render(await pageNamed(ctx.state.pages, CONSOLE_PAGE).read());
  },
};

/** The console's front page: every topic. */
export default function ConsolePage({ data }: PageProps<ConsoleSnapshot>) {
  return (
    <>
      <Header current="/console" live={CONSOLE_PAGE} />
      <main>
        <ConsoleTopics initial={data} />
      </main>
    </>
  );
}
