/** The live connection badge of the header. */

import { useEffect } from "preact/hooks";
import { connectLive, liveStore } from "../client/dashboard_store.ts";

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
  const state = liveStore(stream).connection.value;
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
