/** The live connection badge of the header. */

import { useEffect } from "preact/hooks";
import { connection, connectLive } from "../client/live_store.ts";
import { connectDashboard, dashboardStore } from "../client/dashboard_store.ts";
import type { Dashboard } from "../server/dashboards.ts";

/** Which live stream a page follows: the users page's or one of the dashboards'. */
export type LiveStream = "users" | Dashboard;

/** Props: the page's stream; the users page's when absent. */
export interface LiveStatusProps {
  stream?: LiveStream;
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
    if (stream === "users") connectLive({});
    else connectDashboard(stream);
  }, [stream]);
  const state = stream === "users" ? connection.value : dashboardStore(stream).connection.value;
  return (
    <span
      class={`status status-${state}`}
      data-testid="live-status"
      data-stream={stream}
      role="status"
    >
      <span class="status-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
