/**
 * The consumer groups of the console: per group and topic a status badge
 * (Burrow's OK, WARN, REWIND, STALL, STOP), lag in records and seconds per
 * partition and a graph of the last hour's lag; live over the groups page's
 * stream.
 */

import { LineChart } from "../client/line_chart.ts";
import { useLivePage } from "../client/dashboard_store.ts";
import { useChart, useInBrowser } from "../client/use_chart.ts";
import { formatClock, formatCount } from "../client/format.ts";
import { SparkLines } from "../components/SparkLines.tsx";
import type { GroupsSnapshot, GroupWithHistory } from "../server/groups_data.ts";

/** Props: the groups page's snapshot as rendered on the server. */
export interface ConsumerGroupsProps {
  initial: GroupsSnapshot;
  /** The groups page's name on the live path. */
  page: string;
}

const RECORDS = "#4f46e5";
const SECONDS = "#d97706";

/** Seconds behind, readable: `—` while unknown. */
function seconds(value: number | null): string {
  if (value === null) return "—";
  return value < 10 ? `${value.toFixed(1)} s` : `${formatCount(Math.round(value))} s`;
}

/** Every consumer group with its lag, status and lag history. */
export default function ConsumerGroups({ initial, page }: ConsumerGroupsProps) {
  const snapshot = useLivePage<GroupsSnapshot, GroupsSnapshot>(page, initial, (s) => s);
  if (snapshot.groups.length === 0) {
    return (
      <p class="muted empty" data-testid="groups-empty">
        {snapshot.sampledAt === null ? "Sampling the broker…" : "No consumer groups"}
      </p>
    );
  }
  return (
    <div class="groups" data-testid="groups" data-sampled-at={snapshot.sampledAt ?? ""}>
      {snapshot.groups.map((g) => <GroupCard key={`${g.group}/${g.topic}`} group={g} />)}
    </div>
  );
}

function GroupCard({ group: g }: { group: GroupWithHistory }) {
  return (
    <section
      class="card group"
      data-testid="group"
      data-group={g.group}
      data-status={g.status}
      data-lag={g.lag}
      data-lag-seconds={g.lagSeconds ?? ""}
    >
      <h2>
        <span class={`badge badge-${g.status.toLowerCase()}`} data-testid="group-status">
          {g.status}
        </span>{" "}
        {g.group}
        {g.topic !== null && <span class="muted">{` · ${g.topic}`}</span>}
      </h2>
      <p class="muted">
        {g.state}, {g.members.length} member{g.members.length === 1 ? "" : "s"} · lag{" "}
        <strong>{formatCount(g.lag)}</strong> records, <strong>{seconds(g.lagSeconds)}</strong>
      </p>
      <div class="row">
        <table class="data">
          <thead>
            <tr>
              <th>partition</th>
              <th>member</th>
              <th class="num">committed</th>
              <th class="num">end</th>
              <th class="num">lag</th>
              <th class="num">lag (s)</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {g.partitions.map((p) => (
              <tr key={p.partition} data-partition={p.partition}>
                <td>{p.partition}</td>
                <td data-testid="holder">{holderOf(g, p.partition)}</td>
                <td class="num">{formatCount(p.committed)}</td>
                <td class="num">{formatCount(p.end)}</td>
                <td class="num">{formatCount(p.lag)}</td>
                <td class="num">{seconds(p.lagSeconds)}</td>
                <td>
                  <span class={`badge badge-${p.status.toLowerCase()}`}>{p.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <LagChart group={g} />
      </div>
    </section>
  );
}

/** Which of the group's members holds a partition of its topic: `#n` in the order listed, its id on hover. */
function holderOf(g: GroupWithHistory, partition: number) {
  const index = g.members.findIndex((m) =>
    m.partitions.some((p) => p.topic === g.topic && p.partition === partition)
  );
  if (index < 0) return <span class="muted">none</span>;
  return <span title={`${g.members[index].client} ${g.members[index].id}`}>#{index + 1}</span>;
}

function LagChart({ group }: { group: GroupWithHistory }) {
  const inBrowser = useInBrowser();
  const labels = group.history.map((p) => formatClock(p.t));
  const records = group.history.map((p) => p.lag);
  const secs = group.history.map((p) => p.lagSeconds);
  const canvas = useChart<"line">({
    active: inBrowser && group.history.length > 0,
    create: (el) =>
      new LineChart(el, {
        type: "line",
        data: {
          labels,
          datasets: [
            { label: "records", data: records, borderColor: RECORDS, yAxisID: "records" },
            { label: "seconds", data: secs, borderColor: SECONDS, yAxisID: "seconds" },
          ],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          elements: { point: { radius: 0 } },
          scales: {
            records: { position: "left", beginAtZero: true },
            seconds: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } },
          },
        },
      }),
    update: (chart) => {
      chart.data.labels = labels;
      chart.data.datasets[0].data = records;
      chart.data.datasets[1].data = secs;
    },
    deps: [labels.at(-1), labels.length, records.at(-1), secs.at(-1)],
  });
  return (
    <figure class="chart-card" data-testid="lag-history" data-points={group.history.length}>
      {group.history.length === 0
        ? <p class="muted empty">No history yet</p>
        : inBrowser
        ? (
          <div class="chart-canvas">
            <canvas
              ref={canvas}
              aria-label={`Lag of ${group.group} over the last hour`}
              role="img"
            />
          </div>
        )
        : (
          <SparkLines
            series={[
              { label: "records", color: RECORDS, values: records },
              { label: "seconds", color: SECONDS, values: secs.map((s) => s ?? 0) },
            ]}
            label={`Lag of ${group.group} over the last hour`}
            height={160}
          />
        )}
    </figure>
  );
}
