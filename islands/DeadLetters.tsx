/**
 * A stream's dead letters with their reason, code, source position and
 * original bytes; select some (or take all matching the filter) and replay
 * them; each replayed one shows what became of it, refreshed until known.
 */

import { useEffect, useState } from "preact/hooks";
import type { DeadLetterView } from "../server/dead_letter_view.ts";

/** Props: the stream, the filter as given in the page's query, and the records rendered on the server. */
export interface DeadLettersProps {
  stream: string;
  /** The page's query without `stream` (`reason=late&from=…`), passed on to the API. */
  query: string;
  /** True when the filter names something, so "replay all matching" is allowed. */
  filtered: boolean;
  initial: DeadLetterView[];
}

/** How often outcomes are fetched again while a replay is pending, ms. */
const REFRESH_MS = 1000;
/** How long a pending replay is watched, ms. */
const WATCH_MS = 30_000;

function key(letter: DeadLetterView): string {
  return `${letter.partition}/${letter.offset}`;
}

function outcomeText(letter: DeadLetterView): string {
  const replay = letter.replay;
  if (!replay) return "";
  return replay.outcome === "processed"
    ? "processed"
    : `dead-lettered again: ${replay.code}${
      replay.reason !== replay.code ? ` (${replay.reason})` : ""
    }`;
}

/** The dead letters table and its replay controls. */
export default function DeadLetters({ stream, query, filtered, initial }: DeadLettersProps) {
  const [letters, setLetters] = useState(initial);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState("");
  const [token, setToken] = useState("");
  const [watchUntil, setWatchUntil] = useState(0);

  const refresh = async () => {
    const response = await fetch(`/api/console/dead-letters/${stream}?${query}`);
    if (response.ok) setLetters(await response.json());
  };

  useEffect(() => {
    if (watchUntil === 0) return;
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    // One request at a time: the next waits for the last, however slow the broker answers.
    const next = () => {
      timer = setTimeout(async () => {
        if (Date.now() > watchUntil) return setWatchUntil(0);
        await refresh().catch(() => {});
        if (!stopped) next();
      }, REFRESH_MS);
    };
    next();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [watchUntil]);

  const replay = async (body: unknown) => {
    setMessage("Replaying…");
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== "") headers.authorization = `Bearer ${token}`;
    const response = await fetch(`/api/console/dead-letters/${stream}/replay`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    const result = await response.json();
    if (!response.ok) {
      setMessage(`Not replayed: ${result.error}`);
      return;
    }
    const skipped = result.skipped.map((s: { offset: number; why: string }) =>
      `offset ${s.offset}: ${s.why}`
    );
    setMessage(
      `Replayed ${result.replayed.length}` +
        (skipped.length > 0 ? `; skipped ${skipped.length} (${skipped.join("; ")})` : "") +
        (result.next ? "; more match: replay all again to go on" : ""),
    );
    setSelected(new Set());
    setWatchUntil(Date.now() + WATCH_MS);
    await refresh();
  };

  const toggle = (letter: DeadLetterView) => {
    const next = new Set(selected);
    if (next.has(key(letter))) next.delete(key(letter));
    else next.add(key(letter));
    setSelected(next);
  };

  const offsets = letters.filter((l) => selected.has(key(l)))
    .map(({ partition, offset }) => ({ partition, offset }));
  const filter = Object.fromEntries(new URLSearchParams(query));
  delete filter.limit;
  delete filter.cursor;

  return (
    <section class="card" data-testid="dead-letters">
      <div class="replay-controls">
        <label>
          Write token{" "}
          <input
            type="password"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
            placeholder="when one is set"
            autocomplete="off"
          />
        </label>
        <button
          class="button"
          type="button"
          disabled={offsets.length === 0}
          onClick={() => replay({ offsets })}
          data-testid="replay-selected"
        >
          Replay selected ({offsets.length})
        </button>
        <button
          class="button"
          type="button"
          disabled={!filtered}
          title={filtered ? "" : "filter by reason or time first"}
          onClick={() => replay(filter)}
          data-testid="replay-matching"
        >
          Replay all matching
        </button>
        <span class="muted" role="status" data-testid="replay-message">{message}</span>
      </div>
      {letters.length === 0
        ? <p class="muted empty">No dead letter matches</p>
        : (
          <table class="data dead-letters">
            <thead>
              <tr>
                <th></th>
                <th>Offset</th>
                <th>Time</th>
                <th>Code</th>
                <th>Reason</th>
                <th>Source</th>
                <th>Original bytes</th>
                <th>Replay</th>
              </tr>
            </thead>
            <tbody>
              {letters.map((letter) => (
                <tr key={key(letter)} data-testid="dead-letter" data-offset={letter.offset}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`select offset ${letter.offset}`}
                      checked={selected.has(key(letter))}
                      onChange={() =>
                        toggle(letter)}
                    />
                  </td>
                  <td class="num">{letter.partition}/{letter.offset}</td>
                  <td>{letter.timestamp.replace("T", " ").slice(0, 19)}</td>
                  <td>{letter.code}</td>
                  <td>
                    {letter.reason}
                    {letter.exception && letter.exception.message !== letter.reason && (
                      <div class="muted small">
                        {letter.exception.class}: {letter.exception.message}
                      </div>
                    )}
                    {letter.replayOf && <div class="muted small">replay of {letter.replayOf}</div>}
                  </td>
                  <td>
                    {letter.source
                      ? `${letter.source.topic}[${letter.source.partition}]@${letter.source.offset}`
                      : ""}
                  </td>
                  <td>
                    <code class="dead-letter-value">
                      {letter.valueBase64 === undefined
                        ? letter.value
                        : `base64 ${letter.valueBase64}`}
                    </code>
                    {letter.truncated && (
                      <div class="muted small">first bytes of {letter.valueBytes}</div>
                    )}
                  </td>
                  <td data-testid="replay-outcome">{outcomeText(letter)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
