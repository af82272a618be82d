/** The console's topics table, live: partitions with low and high offsets, records in per second, retention. */

import { liveStore, useLivePage } from "../client/dashboard_store.ts";
import { formatCount } from "../client/format.ts";
import { CONSOLE_PAGE, type ConsoleSnapshot } from "../server/console_topics.ts";

/** Props: the topics as rendered on the server. */
export interface ConsoleTopicsProps {
  initial: ConsoleSnapshot;
}

/** A duration in ms as the largest whole unit that fits (`7 d`, `36 h`), or "for ever". */
export function formatRetention(ms: number | null): string {
  if (ms === null) return "for ever";
  const units: Array<[string, number]> = [["d", 86_400_000], ["h", 3_600_000], ["min", 60_000]];
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${Math.round(ms / 1000)} s`;
}

/** Every topic, one row each, linking to its messages. */
export default function ConsoleTopics({ initial }: ConsoleTopicsProps) {
  const snapshot = useLivePage<ConsoleSnapshot, ConsoleSnapshot>(CONSOLE_PAGE, initial, (s) => s);
  const connection = liveStore(CONSOLE_PAGE).connection.value;
  return (
    <section class="card">
      <h2>
        Topics <span class="muted small" data-testid="console-connection">{connection}</span>
      </h2>
      <table class="data" data-testid="console-topics">
        <thead>
          <tr>
            <th>Topic</th>
            <th class="num">Partitions</th>
            <th>Low – high offset per partition</th>
            <th class="num">Records</th>
            <th class="num">In/s (1 min)</th>
            <th>Retention</th>
          </tr>
        </thead>
        <tbody>
          {snapshot.topics.map((topic) => (
            <tr key={topic.name} data-topic={topic.name}>
              <td>
                <a href={`/console/topics/${encodeURIComponent(topic.name)}`}>{topic.name}</a>
              </td>
              <td class="num">{topic.partitions.length}</td>
              <td class="small" data-testid="offsets">
                {topic.partitions.map((p) => `${p.partition}: ${p.low}–${p.high}`).join(" · ")}
              </td>
              <td class="num" data-testid="records">
                {formatCount(topic.partitions.reduce((sum, p) => sum + p.high - p.low, 0))}
              </td>
              <td class="num" data-testid="rate">
                {topic.inPerSecond === null ? "…" : topic.inPerSecond.toFixed(1)}
              </td>
              <td>{formatRetention(topic.retentionMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
