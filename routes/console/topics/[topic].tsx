/** `/console/topics/<topic>`: browse, filter, tail and download a topic's messages; produce a test message. */

import type { Handlers, PageProps } from "../../../server/app.ts";
import { Header } from "../../../components/Header.tsx";
import TopicBrowser, { type TopicBrowserProps } from "../../../islands/TopicBrowser.tsx";
import {
  browseMessages,
  DEFAULT_MESSAGES,
  describedTopic,
} from "../../../server/console_messages.ts";

/** `GET /console/topics/<topic>` renders the newest messages; a 404 for an unknown topic. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    const topic = await describedTopic(ctx.state.broker, ctx.params.topic);
    const initial = await browseMessages(ctx.state.broker, topic, {
      limit: DEFAULT_MESSAGES,
      filter: () => true,
    });
    const data: TopicBrowserProps = {
      topic: topic.name,
      partitions: topic.partitions,
      initial,
      tokenNeeded: ctx.state.config.web.writeToken !== undefined,
    };
    return ctx.render(data);
  },
};

/** A topic's page. */
export default function TopicPage({ data }: PageProps<TopicBrowserProps>) {
  return (
    <>
      <Header current="/console" />
      <main>
        <p class="small">
          <a href="/console">Console</a> › <span data-testid="topic-name">{data.topic}</span>
        </p>
        <TopicBrowser {...data} />
      </main>
    </>
  );
}
