/**
 * The live connection badge of the header, with the page's latency over the
 * last minute beside it: produce-to-stored (the server's figures) and
 * produce-to-browser (measured in this browser), each as p50 / p99.
 */

import { useEffect } from "preact/hooks";
import { connectLive, liveStore } from "../client/dashboard_store.ts";
import type { LatencyFigures } from "../client/latency_window.ts";
import { formatLatency } from "../client/format.ts";

/** Props: the live page (a dashboard or a console page) whose stream the badge shows; the users page's when absent. */
export interface LiveStatusProps {
  stream?: string;
}

const LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
} as const;

/** Shows whether the page receives live updates from its own stream. */
export default function LiveStatus({ stream = "users" }: LiveStatusProps) {
  useEffect(() => {
    connectLive(stream);
  }, [stream]);
  const store = liveStore(stream);
  const state = store.connection.value;
  const latency = store.latency.value;
  const degraded = store.degraded.value;
  const down = store.down.value;
  const outage = degraded ? [degraded.server] : down;
  return (
    <span class="status-group">
      <span
        class={`status status-${outage.length > 0 ? "degraded" : state}`}
        data-testid="live-status"
        data-stream={stream}
        data-down={outage.length > 0 ? outage.join(",") : undefined}
        role="status"
        title={degraded
          ? `${degraded.server} does not answer since ${
            new Date(degraded.since).toLocaleTimeString()
          } (${degraded.error}); the page shows what it last knew`
          : outage.length > 0
          ? `${outage.join(" and ")} ${
            outage.length > 1 ? "do" : "does"
          } not answer; StreamBoard goes on by itself when it is back`
          : undefined}
      >
        <span class="status-dot" aria-hidden="true" />
        {degraded
          ? `${degraded.server} down · last known`
          : outage.length > 0
          ? `${outage.join(", ")} down`
          : LABELS[state]}
      </span>
      <span
        class="latency"
        data-testid="live-latency"
        title="Latency over the last minute, p50 / p99: from a record's production to its storage, and to this browser"
      >
        <Figures label="stored" testid="latency-stored" figures={latency?.stored ?? null} />
        <Figures label="browser" testid="latency-browser" figures={latency?.browser ?? null} />
      </span>
    </span>
  );
}

function Figures(
  { label, testid, figures }: { label: string; testid: string; figures: LatencyFigures | null },
) {
  return (
    <span class="latency-figures" data-testid={testid}>
      {label} {figures ? `${formatLatency(figures.p50)} / ${formatLatency(figures.p99)}` : "–"}
    </span>
  );
}
