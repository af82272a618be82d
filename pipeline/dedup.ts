/**
 * Exactly once per event id: which records of a batch claim an id, and which
 * are duplicates of a record elsewhere. Pure; the processor asks an
 * `EventIdStore` for the owners in between.
 *
 * An id belongs to the first record (source position) that claimed it. A
 * record whose id another position owns is a duplicate: dead-lettered with
 * reason `duplicate` and counted as such, never stored or counted as an event.
 * A record whose id its own position owns was delivered again after a crash
 * and is processed again (every sink is idempotent).
 */

import type { EventClaim, SourcePosition } from "./ports.ts";
import type { RecordErrorCode } from "./record_error.ts";
import type { StoresConfig } from "../config.ts";

/** How a stream's events are identified, so that a resent one is recognised. */
export interface Deduplication<E> {
  /** The event's id, normalised: every copy of an event gives the same string. */
  eventId(event: E): string;
  /** How long an id is remembered after its first record was processed, ms. */
  horizonMs: number;
}

/** Deduplication by `eventId` over the configured horizon (`dedupHorizonHours`). */
export function byEventId<E>(
  eventId: (event: E) => string,
  stores: Pick<StoresConfig, "dedupHorizonHours">,
): Deduplication<E> {
  return { eventId, horizonMs: stores.dedupHorizonHours * 3_600_000 };
}

/** Reason of a dead-letter record whose event id another record already carried. */
export const DUPLICATE = "duplicate" satisfies RecordErrorCode;

/**
 * How often a processor forgets event ids older than its stream's horizon,
 * ms: every hundredth of the horizon, at least every minute. Expiry reads the
 * whole store on FerretDB, so it runs no more often than the horizon needs.
 */
export function expireEveryMs(horizonMs: number): number {
  return Math.max(60_000, horizonMs / 100);
}

/** A record of a batch that passed validation, with its event id. */
export interface IdentifiedRecord {
  offset: number;
  id: string;
}

/** The claims of one batch of `partition`: the first record of each id claims it. */
export function claimsOf(
  partition: number,
  records: readonly IdentifiedRecord[],
  at: number,
): EventClaim[] {
  const claims = new Map<string, EventClaim>();
  for (const { offset, id } of records) {
    if (!claims.has(id)) claims.set(id, { id, partition, offset, at });
  }
  return [...claims.values()];
}

/** A record whose id another position owns. */
export interface Duplicate {
  id: string;
  owner: SourcePosition;
}

/**
 * The duplicates of a batch of `partition`, by offset, each with the position
 * owning its id. A record owning its id (first claim, or a redelivery of the
 * claiming position) is not among them; a record with several ids (a replay
 * claims its replay id too) is a duplicate when another position owns any of
 * them, and is reported with the first such id.
 *
 * @throws {Error} when `owners` lacks an id of the batch: the store broke its contract
 */
export function duplicatesOf(
  partition: number,
  records: readonly IdentifiedRecord[],
  owners: ReadonlyMap<string, SourcePosition>,
): Map<number, Duplicate> {
  const duplicates = new Map<number, Duplicate>();
  for (const { offset, id } of records) {
    const owner = owners.get(id);
    if (!owner) {
      throw new Error(`the event id store returned no owner for id ${JSON.stringify(id)}`);
    }
    if ((owner.partition !== partition || owner.offset !== offset) && !duplicates.has(offset)) {
      duplicates.set(offset, { id, owner });
    }
  }
  return duplicates;
}

/**
 * The ids each record of a batch of `partition` owns, by offset: the ones a
 * refused record gives back, duplicate or not.
 */
export function ownedIds(
  partition: number,
  records: readonly IdentifiedRecord[],
  owners: ReadonlyMap<string, SourcePosition>,
): Map<number, string[]> {
  const owned = new Map<number, string[]>();
  for (const { offset, id } of records) {
    const owner = owners.get(id);
    if (owner?.partition === partition && owner.offset === offset) {
      owned.set(offset, [...owned.get(offset) ?? [], id]);
    }
  }
  return owned;
}

/** Headers of a duplicate's dead letter beyond the usual ones: its id and the position owning it. */
export function duplicateHeaders({ id, owner }: Duplicate): Record<string, string> {
  return {
    "event.id": id,
    "duplicate.of.partition": String(owner.partition),
    "duplicate.of.offset": String(owner.offset),
  };
}
