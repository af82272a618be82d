/** The live connection badge of the header. */

import { useEffect } from "preact/hooks";
import { connection, connectLive } from "../client/live_store.ts";

/** Shows whether the dashboard receives live updates. */
export default function LiveStatus() {
  useEffect(() => connectLive({}), []);
  const state = connection.value;
  const label = state === "live"
    ? "Live"
    : state === "reconnecting"
    ? "Reconnecting…"
    : "Connecting…";
  return (
    <span class={`status status-${state}`} data-testid="live-status" role="status">
      <span class="status-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
