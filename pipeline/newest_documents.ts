/**
 * The newest documents of a stream, kept by the processor as entries of a
 * small collection of their own so pages list them without querying the raw
 * store (a MongoDB-wire server without usable indexes, such as FerretDB on
 * SQLite, scans and sorts the whole collection for "newest first": seconds
 * at 100,000 documents, where the entries stay a few hundred).
 */

import type { JsonObject, StoredDocument } from "./ports.ts";

/** Whether `a` sorts before `b` newest first: later `ts` first, then the larger id. */
function newer(a: StoredDocument, b: StoredDocument): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The `limit` newest of `kept` and `added`, newest first (ties by id, larger
 * first, as `RawStore.list` orders), one per id: an added document replaces a
 * kept one with its id, so merging the same batch again (a replay) changes
 * nothing.
 *
 * @example
 * mergeNewest([], [{ id: "a", ts: 1, doc: {} }, { id: "b", ts: 2, doc: {} }], 1);
 * // [{ id: "b", ts: 2, doc: {} }]
 */
export function mergeNewest(
  kept: readonly StoredDocument[],
  added: readonly StoredDocument[],
  limit: number,
): StoredDocument[] {
  const byId = new Map<string, StoredDocument>();
  for (const d of kept) byId.set(d.id, d);
  for (const d of added) byId.set(d.id, d);
  return [...byId.values()].sort(newer).slice(0, limit);
}

/**
 * Raw-store collection holding a stream's newest documents, one entry per
 * document with its own id, across partitions: the processor adds the
 * documents that enter a partition's newest and removes those that leave, so
 * a batch writes what it added (about a kilobyte a user), not every kept
 * document again (50 users, ~60 KB, per batch: twenty to forty times what
 * the users themselves took, and most of the write-ahead log).
 */
export function newestCollection(stream: string): string {
  return `newest_${stream}`;
}

/**
 * The entry of a kept document: its id and time, so the collection lists in
 * the order of the stream's own (`RawStore.list`), the partition that keeps
 * it, and the document as JSON text (FerretDB reads one string several times
 * faster than the same fields: 20–30 ms against 100+ for 50 users).
 */
export function newestEntry(partition: number, document: StoredDocument): StoredDocument {
  return {
    id: document.id,
    ts: document.ts,
    doc: { partition, json: JSON.stringify(document.doc) },
  };
}

/** The kept document an entry holds. */
export function entryDocument(entry: StoredDocument): StoredDocument {
  return { id: entry.id, ts: entry.ts, doc: JSON.parse(String(entry.doc.json)) as JsonObject };
}

/** A partition's newest after a batch, and what its entries need for it. */
export interface NewestChange {
  /** The partition's newest documents, newest first. */
  newest: StoredDocument[];
  /** Documents added or replaced (to upsert as entries). */
  entered: StoredDocument[];
  /** Ids no longer kept (to remove). */
  left: string[];
}

/**
 * Merges a batch's documents into a partition's kept newest (as
 * `mergeNewest`) and says which entries change: merging the same batch again
 * changes nothing but rewrites its entries.
 */
export function newestChange(
  kept: readonly StoredDocument[],
  added: readonly StoredDocument[],
  limit: number,
): NewestChange {
  const newest = mergeNewest(kept, added, limit);
  const now = new Set(newest.map((d) => d.id));
  const addedIds = new Set(added.map((d) => d.id));
  return {
    newest,
    entered: newest.filter((d) => addedIds.has(d.id)),
    left: kept.filter((d) => !now.has(d.id)).map((d) => d.id),
  };
}
