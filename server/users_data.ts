/** The users dashboard's reads, shared by routes, the SSE snapshot and the live feed. */

import type { AggregateStore, JsonObject, RawStore, StoredDocument } from "../pipeline/ports.ts";
import type { GenderStats, UserSummary } from "../pipeline/users/randomuser.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { REJECTED_DIMENSION } from "../pipeline/dead_letter.ts";
import type { Config } from "../config.ts";
import { LiveHub } from "./live_hub.ts";
import { countOf, grandTotal } from "../pipeline/aggregate_sums.ts";

/** Gender counters plus how many records were dead-lettered. */
export interface UserStats extends GenderStats {
  rejected: number;
}

/** What the dashboard shows at first paint and after a resynchronisation. */
export interface UsersSnapshot {
  stats: UserStats;
  users: UserSummary[];
}

/** Users the dashboard lists. */
export const NEWEST_USERS = 20;

/** Gender totals over every window and partition. */
export async function userStats(aggregates: AggregateStore): Promise<UserStats> {
  const [genders, rejected] = await Promise.all([
    aggregates.totals(USERS.name, "gender"),
    aggregates.totals(USERS.name, REJECTED_DIMENSION),
  ]);
  const stats: UserStats = { total: 0, male: 0, female: 0, other: 0, rejected: 0 };
  for (const { key, value } of genders) {
    if (key === "male" || key === "female" || key === "other") stats[key] += countOf(value);
  }
  stats.total = countOf(grandTotal(genders));
  stats.rejected = countOf(grandTotal(rejected));
  return stats;
}

/** The summary fields of a stored user document. */
export function toSummary(doc: StoredDocument): UserSummary {
  const d = doc.doc as JsonObject & Partial<Record<keyof UserSummary, unknown>>;
  return {
    uuid: doc.id,
    fullName: String(d.fullName ?? ""),
    gender: d.gender === "male" || d.gender === "female" ? d.gender : "other",
    age: Number(d.age ?? 0),
    country: String(d.country ?? ""),
    city: String(d.city ?? ""),
    email: String(d.email ?? ""),
    picture: String(d.picture ?? ""),
    ts: doc.ts,
  };
}

/** The newest users, newest first. */
export async function newestUsers(raw: RawStore, limit = NEWEST_USERS): Promise<UserSummary[]> {
  return (await raw.list(USERS.collection, { limit })).items.map(toSummary);
}

/** Stats and newest users in one read. */
export async function usersSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
): Promise<UsersSnapshot> {
  const [stats, users] = await Promise.all([userStats(aggregates), newestUsers(raw)]);
  return { stats, users };
}

/** The SSE hub of the users dashboard: its snapshot is `usersSnapshot`. */
export function usersHub(config: Config, raw: RawStore, aggregates: AggregateStore): LiveHub {
  return new LiveHub({
    replay: config.sseReplay,
    clientBuffer: config.sseClientBuffer,
    snapshot: async () => [{ event: "snapshot", data: await usersSnapshot(raw, aggregates) }],
  });
}
