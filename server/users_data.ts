/** The users page's reads through the ports, shared by its page, its live snapshot and `/stats`. */

import type {
  AggregateStore,
  DocumentQuery,
  FieldCondition,
  JsonObject,
  RawStore,
  StoredDocument,
} from "../pipeline/ports.ts";
import type { UserSummary } from "../pipeline/users/randomuser.ts";
import { NEWEST_KEPT, USERS } from "../pipeline/users/users_stream.ts";
import { newestDocuments } from "../pipeline/read_models.ts";
import { encodeCursor } from "../pipeline/cursor.ts";
import type { DocumentPage } from "../pipeline/ports.ts";
import { REJECTED_DIMENSION } from "../pipeline/dead_letter.ts";
import { countOf, grandTotal } from "../pipeline/aggregate_sums.ts";
import type { UsersSnapshot, UserStats } from "./dashboards.ts";
import { type PageView, viewBounds } from "./page_filters.ts";

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

/**
 * The first page of users, newest first: from the newest users the processor
 * keeps when they hold enough (a read of a few small documents, however many
 * users are stored), else from the raw store (see `newestDocuments`).
 */
export async function newestUserPage(raw: RawStore, limit: number): Promise<DocumentPage> {
  if (limit <= NEWEST_KEPT) {
    const items = await newestDocuments(raw, USERS.name, limit);
    if (items !== undefined) {
      // Fewer than asked: every partition's read model holds all its users.
      const next = items.length === limit ? encodeCursor(items[items.length - 1]) : null;
      return { items, next };
    }
  }
  return await raw.list(USERS.collection, { limit });
}

/** The newest users, newest first. */
export async function newestUsers(raw: RawStore, limit = NEWEST_USERS): Promise<UserSummary[]> {
  return (await newestUserPage(raw, limit)).items.map(toSummary);
}

/** The newest user, if any. */
export async function lastUser(raw: RawStore): Promise<StoredDocument | undefined> {
  return (await newestUserPage(raw, 1)).items[0];
}

/** Stats and newest users in one read. */
export async function usersSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
): Promise<UsersSnapshot> {
  const [stats, users] = await Promise.all([userStats(aggregates), newestUsers(raw)]);
  return { stats, users };
}

/** The stored users a view of the users page shows, as a raw-store query (at `now`, ms). */
export function usersQuery(view: PageView, now: number): DocumentQuery {
  const { gender, country, ageMin, ageMax, name } = view.filters;
  const where: FieldCondition[] = [];
  if (gender !== undefined) where.push({ field: "gender", oneOf: [gender] });
  if (country !== undefined) where.push({ field: "country", oneOf: [country] });
  if (ageMin !== undefined || ageMax !== undefined) {
    where.push({
      field: "age",
      ...(typeof ageMin === "number" ? { min: ageMin } : {}),
      ...(typeof ageMax === "number" ? { max: ageMax } : {}),
    });
  }
  if (name !== undefined) where.push({ field: "fullName", contains: String(name) });
  return { ...viewBounds(view, now), where };
}

/**
 * The users page narrowed to a view: counters and the gender split count
 * the matching users (the store counts, nothing is read into memory), the
 * list holds the newest of them. Rejected records carry no user fields, so
 * their count stays the stream's total.
 */
export async function usersViewSnapshot(
  raw: RawStore,
  aggregates: AggregateStore,
  query: DocumentQuery,
): Promise<UsersSnapshot> {
  const withGender = (gender: string): DocumentQuery => ({
    ...query,
    where: [...query.where ?? [], { field: "gender", oneOf: [gender] }],
  });
  const [total, male, female, rejected, users] = await Promise.all([
    raw.count(USERS.collection, query),
    raw.count(USERS.collection, withGender("male")),
    raw.count(USERS.collection, withGender("female")),
    aggregates.totals(USERS.name, REJECTED_DIMENSION),
    firstOf(raw.find(USERS.collection, query), NEWEST_USERS),
  ]);
  return {
    stats: {
      total,
      male,
      female,
      other: total - male - female,
      rejected: countOf(grandTotal(rejected)),
    },
    users: users.map(toSummary),
  };
}

/** The first `n` items of `items`; the rest is never read. */
export async function firstOf<T>(items: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  if (n <= 0) return out;
  for await (const item of items) {
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
}
