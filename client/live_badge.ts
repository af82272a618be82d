/**
 * What a page's connection badge says: the connection's state, or which
 * server is down (a page served from its last snapshot names its own).
 */

import type { ConnectionState } from "./dashboard_store.ts";
import type { Degraded } from "../server/last_known.ts";

/** The badge: its state class, text, tooltip and the servers it names down. */
export interface LiveBadge {
  /** `live`, `connecting`, `reconnecting`, `offline` or `degraded` (a server is down). */
  state: ConnectionState | "degraded";
  label: string;
  title?: string;
  /** The servers down, empty when all answer. */
  down: string[];
}

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/** The badge for a connection `state`, the page's own outage (`degraded`) and the servers named `down`. */
export function liveBadge(
  { state, degraded, down }: {
    state: ConnectionState;
    degraded: Degraded | null;
    down: readonly string[];
  },
): LiveBadge {
  if (degraded) {
    return {
      state: "degraded",
      label: `${degraded.server} down · last known`,
      title: `${degraded.server} does not answer since ${
        new Date(degraded.since).toLocaleTimeString()
      } (${degraded.error}); the page shows what it last knew`,
      down: [degraded.server, ...down.filter((server) => server !== degraded.server)],
    };
  }
  if (down.length > 0) {
    return {
      state: "degraded",
      label: `${down.join(", ")} down`,
      title: `${down.join(" and ")} ${down.length > 1 ? "do" : "does"} not answer; ` +
        "StreamBoard goes on by itself when it is back",
      down: [...down],
    };
  }
  return { state, label: LABELS[state], down: [] };
}
