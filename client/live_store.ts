/**
 * The browser's live state, shared by every island on a page: one
 * `EventSource` on `/api/stream`, whose events update signals the islands
 * render. Initial values come from the server-rendered props, so the page
 * shows data before the stream connects.
 */

import { signal } from "@preact/signals";
import type { UserSummary } from "../pipeline/users/randomuser.ts";
import type { UsersSnapshot, UserStats } from "../server/users_data.ts";

/** Users kept in the live list. */
export const LIST_SIZE = 20;

/** Gender counters; `null` until known. */
export const stats = signal<UserStats | null>(null);
/** Newest users, newest first. */
export const users = signal<UserSummary[]>([]);
/** State of the live connection. */
export const connection = signal<"connecting" | "live" | "reconnecting">("connecting");

let source: EventSource | undefined;

/** Newest first, without duplicates, at most `LIST_SIZE`. */
export function mergeUsers(incoming: UserSummary[], current: UserSummary[]): UserSummary[] {
  const seen = new Set<string>();
  const out: UserSummary[] = [];
  for (const user of [...incoming, ...current]) {
    if (seen.has(user.uuid)) continue;
    seen.add(user.uuid);
    out.push(user);
    if (out.length === LIST_SIZE) break;
  }
  return out;
}

/** Seeds the signals with server-rendered values (once) and opens the shared stream. */
export function connectLive(initial: Partial<UsersSnapshot>): void {
  if (initial.stats && stats.peek() === null) stats.value = initial.stats;
  if (initial.users && users.peek().length === 0) users.value = initial.users;
  if (source || typeof EventSource === "undefined") return;
  source = new EventSource("/api/stream");
  source.onopen = () => (connection.value = "live");
  source.onerror = () => (connection.value = "reconnecting");
  source.addEventListener("snapshot", (event) => {
    const snapshot = JSON.parse((event as MessageEvent).data) as UsersSnapshot;
    stats.value = snapshot.stats;
    users.value = snapshot.users.slice(0, LIST_SIZE);
  });
  source.addEventListener("users", (event) => {
    const { users: incoming } = JSON.parse((event as MessageEvent).data) as {
      users: UserSummary[];
    };
    users.value = mergeUsers(incoming, users.peek());
  });
  source.addEventListener("stats", (event) => {
    stats.value = JSON.parse((event as MessageEvent).data) as UserStats;
  });
}
