/**
 * `/console/dead-letters?stream=&reason=&from=&to=`: a stream's dead letters,
 * newest first, with a filter by reason and time, and replay of one, a
 * selection or all that match.
 */

import type { Handlers, PageProps } from "../../server/app.ts";
import { HttpError } from "../../server/http_error.ts";
import { type DeadLetterView, filterOfQuery } from "../../server/dead_letter_view.ts";
import { deadLetterViews, scanDeadLetters, streamOf } from "../../server/dead_letters.ts";
import { Header } from "../../components/Header.tsx";
import DeadLetters from "../../islands/DeadLetters.tsx";

/** Dead letters shown on the page at once. */
export const PAGE_SIZE = 100;

/** What the page is rendered from. */
export interface DeadLettersPage {
  streams: string[];
  stream: string;
  given: { reason: string; from: string; to: string };
  /** The filter's query, passed on to the API. */
  query: string;
  letters: DeadLetterView[];
}

export const handler: Handlers = {
  async GET(_req, ctx) {
    const params = ctx.url.searchParams;
    const { registry, broker, raw } = ctx.state;
    const name = params.get("stream") ?? registry.names[0];
    if (name === undefined) throw new HttpError(404, "this installation runs no stream");
    const module = streamOf(registry, name);
    // An empty field of the form means no filter on it.
    const query = new URLSearchParams(
      ["reason", "from", "to"].flatMap((k) =>
        params.getAll(k).filter((v) => v !== "").map((v) => [k, v])
      ),
    );
    const filter = filterOfQuery(query);
    const { records } = await scanDeadLetters(broker, module.topics.dlqTopic, {
      filter,
      limit: PAGE_SIZE,
    });
    const data: DeadLettersPage = {
      streams: registry.names,
      stream: name,
      given: {
        reason: query.get("reason") ?? "",
        from: query.get("from") ?? "",
        to: query.get("to") ?? "",
      },
      query: query.toString(),
      letters: await deadLetterViews(raw, records),
    };
    return ctx.render(data);
  },
};

/** The dead letters page: stream tabs, the filter form and the island with the records. */
export default function DeadLettersConsole({ data }: PageProps<DeadLettersPage>) {
  const { streams, stream, given } = data;
  return (
    <>
      <Header current="/console/dead-letters" />
      <main>
        <h1>Dead letters</h1>
        <nav class="stream-tabs" aria-label="Streams">
          {streams.map((s) => (
            <a
              key={s}
              href={`/console/dead-letters?stream=${s}`}
              aria-current={s === stream ? "page" : undefined}
            >
              {s}
            </a>
          ))}
        </nav>
        <form class="dead-letter-filter" method="get" action="/console/dead-letters">
          <input type="hidden" name="stream" value={stream} />
          <label>
            Reason or code <input name="reason" value={given.reason} placeholder="late" />
          </label>
          <label>
            From <input name="from" value={given.from} placeholder="2026-01-10T12:00:00Z" />
          </label>
          <label>
            To <input name="to" value={given.to} placeholder="ISO 8601 time" />
          </label>
          <button class="button" type="submit">Filter</button>
        </form>
        <p class="muted">
          Newest first, {PAGE_SIZE} at most. A replay sends the original bytes back to the{" "}
          <code>{stream}</code>{" "}
          topic; a dead letter is counted at most once however often it is replayed.
        </p>
        <DeadLetters
          stream={stream}
          query={data.query}
          filtered={data.query !== ""}
          initial={data.letters}
        />
      </main>
    </>
  );
}
