/**
 * The console's message browser of one topic: partition, from an offset, a
 * time or the newest N, a filter, a live tail, each message in full, an
 * NDJSON download of what is shown and a form that produces a test message.
 */

import { useEffect, useState } from "preact/hooks";
import type { ConsoleMessage } from "../server/console_messages.ts";
import type { PartitionOffsets } from "../pipeline/ports.ts";
import { withTailed } from "../client/tail_messages.ts";

/** Props: the topic, its partitions and the newest messages as rendered on the server. */
export interface TopicBrowserProps {
  topic: string;
  partitions: PartitionOffsets[];
  initial: ConsoleMessage[];
  /** Whether producing needs the write token (its value is never sent to the page). */
  tokenNeeded: boolean;
}

type Mode = "newest" | "offset" | "time";

interface Browse {
  partition: string;
  mode: Mode;
  offset: string;
  time: string;
  limit: string;
  filter: string;
}

/** The query string of a browse (the `datetime-local` time is the browser's local time). */
function queryOf(browse: Browse): string {
  const params = new URLSearchParams();
  if (browse.partition !== "") params.set("partition", browse.partition);
  if (browse.mode === "offset") params.set("offset", browse.offset);
  if (browse.mode === "time" && browse.time !== "") {
    const at = new Date(browse.time);
    params.set("from", Number.isNaN(at.getTime()) ? browse.time : at.toISOString());
  }
  params.set("limit", browse.limit);
  if (browse.filter.trim() !== "") params.set("filter", browse.filter);
  return params.toString();
}

function metaText(m: ConsoleMessage): string {
  const headers = Object.entries(m.headers).map(([k, v]) => `${k}=${v}`).join(", ");
  return [
    `partition ${m.partition}`,
    `offset ${m.offset}`,
    m.timestamp,
    `key ${m.key ?? "(none)"}`,
    ...(headers === "" ? [] : [`headers ${headers}`]),
    m.valueType,
  ].join(" · ");
}

function valueText(message: ConsoleMessage): string {
  return message.valueType === "json"
    ? JSON.stringify(message.value, null, 2)
    : String(message.value);
}

/** Browse, tail, download and produce for one topic. */
export default function TopicBrowser(
  { topic, partitions, initial, tokenNeeded }: TopicBrowserProps,
) {
  const root = `/api/console/topics/${encodeURIComponent(topic)}`;
  const base = `${root}/messages`;
  const [browse, setBrowse] = useState<Browse>({
    partition: "",
    mode: "newest",
    offset: "0",
    time: "",
    limit: "50",
    filter: "",
  });
  const [shown, setShown] = useState<Browse>(browse);
  const [messages, setMessages] = useState(initial);
  const [error, setError] = useState("");
  const [tail, setTail] = useState(false);
  const [tailState, setTailState] = useState<"connecting" | "live" | "reconnecting">("connecting");
  const set = (field: keyof Browse) => (event: Event) =>
    setBrowse({ ...browse, [field]: (event.currentTarget as HTMLInputElement).value });

  /** Shows the browse `wanted`; false when the server refused it (its reason shown). */
  const load = async (wanted: Browse): Promise<boolean> => {
    const res = await fetch(`${base}?${queryOf(wanted)}`);
    const body = await res.json();
    if (!res.ok) {
      setError(body.error ?? `${res.status}`);
      return false;
    }
    setError("");
    setShown(wanted);
    setMessages(body as ConsoleMessage[]);
    return true;
  };

  // The live tail: the newest matches as a browse (which also says what is
  // wrong with a bad filter, as an EventSource cannot), then over SSE.
  useEffect(() => {
    if (!tail) return;
    const newest = { ...browse, mode: "newest" as const };
    let source: EventSource | undefined;
    let left = false;
    load(newest).then((ok) => {
      if (!ok || left) return;
      const limit = Number(newest.limit);
      setTailState("connecting");
      source = new EventSource(`${root}/tail?${queryOf(newest)}`);
      source.onopen = () => setTailState("live");
      source.onerror = () => setTailState("reconnecting");
      source.addEventListener("snapshot", (event) => {
        setMessages(JSON.parse((event as MessageEvent).data) as ConsoleMessage[]);
      });
      source.addEventListener("message", (event) => {
        const message = JSON.parse((event as MessageEvent).data) as ConsoleMessage;
        setMessages((shownNow) => withTailed(shownNow, [message], limit));
      });
    });
    return () => {
      left = true;
      source?.close();
    };
  }, [tail, browse.partition, browse.filter, browse.limit]);

  return (
    <>
      <section class="card">
        <h2>Messages</h2>
        <form
          class="console-form"
          data-testid="browse-form"
          onSubmit={(event) => {
            event.preventDefault();
            load(browse);
          }}
        >
          <label>
            Partition{" "}
            <select name="partition" value={browse.partition} onChange={set("partition")}>
              <option value="">all</option>
              {partitions.map((p) => (
                <option key={p.partition} value={String(p.partition)}>
                  {p.partition} ({p.low}–{p.high})
                </option>
              ))}
            </select>
          </label>
          <label>
            From{" "}
            <select name="mode" value={browse.mode} onChange={set("mode")}>
              <option value="newest">newest</option>
              <option value="offset">offset</option>
              <option value="time">time</option>
            </select>
          </label>
          {browse.mode === "offset" && (
            <input
              name="offset"
              type="number"
              min="0"
              value={browse.offset}
              onInput={set("offset")}
            />
          )}
          {browse.mode === "time" && (
            <input
              name="time"
              type="datetime-local"
              step="1"
              value={browse.time}
              onInput={set("time")}
            />
          )}
          <label>
            Limit{" "}
            <input
              name="limit"
              type="number"
              min="1"
              max="500"
              value={browse.limit}
              onInput={set("limit")}
            />
          </label>
          <label class="console-filter">
            Filter{" "}
            <input
              name="filter"
              placeholder="key=user-1 && header.reason~late && amount>=10"
              value={browse.filter}
              onInput={set("filter")}
            />
          </label>
          <button class="button" type="submit">Show</button>
          <label>
            <input
              name="tail"
              type="checkbox"
              checked={tail}
              onChange={(e) => setTail((e.currentTarget as HTMLInputElement).checked)}
            />{" "}
            Live tail
          </label>
          {tail && <span class="muted small" data-testid="tail-status">{tailState}</span>}
          <a href={`${base}.ndjson?${queryOf(shown)}`} data-testid="ndjson" download>
            Download NDJSON
          </a>
        </form>
        {error && <p class="console-error" role="alert" data-testid="browse-error">{error}</p>}
        <p class="muted small" data-testid="message-count">
          {messages.length} {messages.length === 1 ? "message" : "messages"}
        </p>
        <div data-testid="messages">
          {messages.map((m) => (
            <article class="message" key={`${m.partition}:${m.offset}`} data-offset={m.offset}>
              <div class="message-meta small" data-testid="message-meta">
                {metaText(m)}
              </div>
              <pre class="message-value">{valueText(m)}</pre>
            </article>
          ))}
        </div>
      </section>
      <ProduceForm topic={topic} base={base} tokenNeeded={tokenNeeded} onSent={() => load(shown)} />
    </>
  );
}

/** The form that produces a test message (key, headers, JSON value). */
function ProduceForm(
  { topic, base, tokenNeeded, onSent }: {
    topic: string;
    base: string;
    tokenNeeded: boolean;
    onSent(): void;
  },
) {
  const [result, setResult] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? "");
    let headers: unknown;
    let value: unknown;
    try {
      headers = text("headers").trim() === "" ? {} : JSON.parse(text("headers"));
      value = JSON.parse(text("value"));
    } catch (error) {
      setResult(`not JSON: ${(error as Error).message}`);
      return;
    }
    const res = await fetch(base, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(tokenNeeded ? { authorization: `Bearer ${text("token")}` } : {}),
      },
      body: JSON.stringify({ key: text("key") === "" ? null : text("key"), headers, value }),
    });
    const body = await res.json();
    setResult(res.ok ? `produced to ${topic}` : body.error ?? `${res.status}`);
    if (res.ok) onSent();
  };
  return (
    <section class="card">
      <h2>Produce a test message</h2>
      <form class="console-form" data-testid="produce-form" onSubmit={submit}>
        <label>
          Key <input name="key" />
        </label>
        <label class="console-filter">
          Headers (JSON object) <input name="headers" placeholder='{"origin": "console"}' />
        </label>
        <label class="console-wide">
          Value (JSON) <textarea name="value" rows={4}>{"{}"}</textarea>
        </label>
        {tokenNeeded && (
          <label>
            Write token <input name="token" type="password" autocomplete="off" />
          </label>
        )}
        <button class="button" type="submit">Produce</button>
      </form>
      {result && <p role="status" data-testid="produce-result">{result}</p>}
    </section>
  );
}
