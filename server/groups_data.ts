/**
 * The consumer groups as the console shows them (`/console/groups`,
 * `/api/console/groups`): each group's lag per partition, in records and
 * seconds, its Burrow status and its lag history, read from the tracker the
 * lag sampler feeds.
 */

import type { GroupLag, GroupLagTracker } from "../pipeline/lag/group_lag_tracker.ts";
import type { LagPoint } from "../pipeline/lag/lag_history.ts";
import type { LivePage } from "./dashboards.ts";
import { HttpError } from "./http_error.ts";

/** A group on one topic, with its lag over the last hour. */
export interface GroupWithHistory extends GroupLag {
  /** Oldest first, one point per sample. */
  history: LagPoint[];
}

/** What the groups page shows. */
export interface GroupsSnapshot {
  /** When the broker was last sampled, ms since the epoch; `null` before the first sample. */
  sampledAt: number | null;
  groups: GroupWithHistory[];
}

/** Name of the groups page on the live path (`/api/stream/console-groups`). */
export const GROUPS_PAGE = "console-groups";

/** Every group, with its history when `history` is set. */
export function groupsView(
  tracker: GroupLagTracker,
  history: boolean,
): Array<GroupLag | GroupWithHistory> {
  const groups = tracker.lagView();
  return history ? groups.map((g) => withHistory(tracker, g)) : groups;
}

/** The entries of group `name` (one per topic it reads) with their history; a 404 when there is no such group. */
export function groupNamed(tracker: GroupLagTracker, name: string): GroupWithHistory[] {
  const found = tracker.lagView().filter((g) => g.group === name);
  if (found.length === 0) {
    throw new HttpError(
      404,
      tracker.sampledAt === undefined
        ? `no consumer group "${name}" (the broker has not been sampled yet; try again in a moment)`
        : `no consumer group "${name}"`,
    );
  }
  return found.map((g) => withHistory(tracker, g));
}

/** The groups page, live over the one live path: read again each refresh of the feed. */
export function groupsPage(tracker: GroupLagTracker): LivePage<GroupsSnapshot> {
  return {
    liveTopics: [],
    read: () =>
      Promise.resolve({
        sampledAt: tracker.sampledAt ?? null,
        groups: tracker.lagView().map((g) => withHistory(tracker, g)),
      }),
  };
}

function withHistory(tracker: GroupLagTracker, group: GroupLag): GroupWithHistory {
  return { ...group, history: tracker.history(group.group, group.topic) };
}

/**
 * The Burrow status of the groups of `streams`' processors, for readiness:
 * only StreamBoard's own groups, as a shared Kafka holds others' too.
 */
export function processorGroups(
  tracker: GroupLagTracker,
  streams: ReadonlyArray<{ topics: { group: string } }>,
): () => Array<{ group: string; topic: string | null; status: string }> {
  const ours = new Set(streams.map((s) => s.topics.group));
  return () =>
    tracker.lagView().filter((g) => ours.has(g.group)).map(({ group, topic, status }) => ({
      group,
      topic,
      status,
    }));
}
