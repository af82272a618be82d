/**
 * The newest documents of a stream, kept by the processor in each
 * partition's read model so pages list them without querying the raw store
 * (a MongoDB-wire server without usable indexes, such as FerretDB on SQLite,
 * scans and sorts the whole collection for "newest first": seconds at
 * 100,000 documents, where a read model stays one small document).
 */

import type { StoredDocument } from "./ports.ts";

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
 * Newest first across partitions: each partition's read model holds its own
 * newest, so the `limit` newest of the stream are among their union.
 */
export function newestAcross(
  partitions: ReadonlyArray<readonly StoredDocument[]>,
  limit: number,
): StoredDocument[] {
  return mergeNewest([], partitions.flat(), limit);
}
