/**
 * The live connection badge of the header, with the page's latency over the
 * last minute beside it: produce-to-stored (the server's figures) and
 * produce-to-browser (measured in this browser), each as p50 / p99.
 */

import { useEffect } from "preact/hooks";
import { connectLive, liveStore } from "../client/dashboard_store.ts";
import type { LatencyFigures } from "../client/latency_window.ts";
import { formatLatency } from "../client/format.ts";
import { liveBadge } from "../client/live_badge.ts";

/** Props: the live page (a dashboard or a console page) whose stream the badge shows; the users page's when absent. */
export interface LiveStatusProps {
  stream?: string;
}

/** Shows whether the page receives live updates from its own stream. */
export default function LiveStatus({ stream = "users" }: LiveStatusProps) {
  useEffect(() => {
    connectLive(stream);
  }, [stream]);
  const store = liveStore(stream);
  const latency = store.latency.value;
  const badge = liveBadge({
    state: store.connection.value,
    degraded: store.degraded.value,
    down: store.down.value,
  });
  return (
    <span class="status-group">
      <span
        class={`status status-${badge.state}`}
        data-testid="live-status"
        data-stream={stream}
        data-down={badge.down.length > 0 ? badge.down.join(",") : undefined}
        role="status"
        title={badge.title}
      >
        <span class="status-dot" aria-hidden="true" />
        {badge.label}
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
