/**
 * The services-mode event id store: one MongoDB collection, `event_ids`,
 * with one document per claimed id, `_id` = `<stream>/<id>`.
 *
 * The unique `_id` makes each claim atomic without transactions (which
 * FerretDB 1.x lacks): an unordered insert takes the free ids, and only the
 * ids it refused as taken are read back.
 */

import type { Collection, MongoClient } from "mongodb";
import type { EventClaim, EventIdStore, SourcePosition } from "../ports.ts";
import { duplicateKeyIndexes } from "./duplicate_keys.ts";
import { connectMongo, type MongoConnectOptions } from "./connect.ts";

/** Collection of the claimed event ids of every stream. */
export const EVENT_IDS = "event_ids";

/** A claimed id as stored. */
interface ClaimDocument {
  _id: string;
  stream: string;
  partition: number;
  offset: number;
  at: number;
}

/**
 * Owners read at once, each by `_id` with a limit of one. FerretDB 1.24 runs
 * `{_id: {$in: [...]}}` (or `$or`) as a scan of the whole collection, 3-10 s
 * at 20,000 claims whatever the number of ids, while one `_id` with a limit
 * takes 2-8 ms; MongoDB serves either from its `_id` index.
 */
const OWNER_READS_AT_ONCE = 16;

/**
 * From this many refused ids on, the owners are read with one `$in` query
 * instead: on FerretDB it costs one scan of the collection (seconds) however
 * many ids it asks for, which beats hundreds of single reads when a whole
 * batch is delivered again after a crash.
 */
const OWNERS_IN_ONE_QUERY = 64;

/**
 * Most rounds of insert-then-read for one call. A second round is needed only
 * when an owner expired between the two; a third means something else is wrong.
 */
const MAX_ROUNDS = 3;

/** An `EventIdStore` on MongoDB (or FerretDB). */
export class MongoEventIdStore implements EventIdStore {
  readonly #client: MongoClient;
  readonly #claims: Collection<ClaimDocument>;
  #indexed: Promise<unknown> | undefined;

  private constructor(client: MongoClient, dbName: string) {
    this.#client = client;
    this.#claims = client.db(dbName).collection<ClaimDocument>(EVENT_IDS);
  }

  /**
   * Connects to `url` and uses database `dbName`.
   *
   * @throws {Error} naming the server (without credentials) when it cannot be reached in time.
   */
  static async connect(
    url: string,
    dbName: string,
    options: MongoConnectOptions = {},
  ): Promise<MongoEventIdStore> {
    return new MongoEventIdStore(await connectMongo(url, options), dbName);
  }

  async claim(stream: string, claims: EventClaim[]): Promise<Map<string, SourcePosition>> {
    const owners = new Map<string, SourcePosition>();
    if (claims.length === 0) return owners;
    await this.#ensureIndex();
    let pending = claims;
    for (let round = 1; pending.length > 0; round++) {
      if (round > MAX_ROUNDS) {
        throw new Error(
          `could not claim ${pending.length} event id(s) of ${stream} in ${MAX_ROUNDS} rounds`,
        );
      }
      const taken = await this.#insert(stream, pending);
      for (const [i, c] of pending.entries()) {
        if (!taken.has(i)) owners.set(c.id, { partition: c.partition, offset: c.offset });
      }
      if (taken.size === 0) break;
      const refused = [...taken].map((i) => pending[i]);
      for (const [id, owner] of await this.#owners(stream, refused)) owners.set(id, owner);
      // An owner that expired between the insert and the read is claimed again.
      pending = refused.filter((c) => !owners.has(c.id));
    }
    return owners;
  }

  async release(stream: string, claims: Array<SourcePosition & { id: string }>): Promise<void> {
    if (claims.length === 0) return;
    // One delete by `_id` each: FerretDB scans the collection for `$in`/`$or` (see above).
    await this.#claims.bulkWrite(
      claims.map((c) => ({
        deleteOne: { filter: { _id: key(stream, c.id), partition: c.partition, offset: c.offset } },
      })),
      { ordered: false },
    );
  }

  async expire(stream: string, before: number): Promise<void> {
    await this.#ensureIndex();
    await this.#claims.deleteMany({ stream, at: { $lt: before } });
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  /** The positions owning the ids of `claims` (an id whose claim expired meanwhile is absent). */
  async #owners(stream: string, claims: EventClaim[]): Promise<Map<string, SourcePosition>> {
    const owners = new Map<string, SourcePosition>();
    const byKey = new Map(claims.map((c) => [key(stream, c.id), c.id]));
    if (claims.length >= OWNERS_IN_ONE_QUERY) {
      for await (const owner of this.#claims.find({ _id: { $in: [...byKey.keys()] } })) {
        owners.set(byKey.get(owner._id)!, { partition: owner.partition, offset: owner.offset });
      }
      return owners;
    }
    for (let i = 0; i < claims.length; i += OWNER_READS_AT_ONCE) {
      await Promise.all(
        claims.slice(i, i + OWNER_READS_AT_ONCE).map(async (c) => {
          const owner = await this.#claims.findOne({ _id: key(stream, c.id) });
          if (owner) owners.set(c.id, { partition: owner.partition, offset: owner.offset });
        }),
      );
    }
    return owners;
  }

  /** Inserts the claims; returns the indexes of those refused because their id is taken. */
  async #insert(stream: string, claims: EventClaim[]): Promise<Set<number>> {
    try {
      await this.#claims.insertMany(
        claims.map((c) => ({
          _id: key(stream, c.id),
          stream,
          partition: c.partition,
          offset: c.offset,
          at: c.at,
        })),
        { ordered: false },
      );
      return new Set();
    } catch (error) {
      const taken = duplicateKeyIndexes(error);
      if (taken === undefined) throw error;
      return new Set(taken);
    }
  }

  /** Creates the index expiry reads, once per process. */
  #ensureIndex(): Promise<unknown> {
    this.#indexed ??= this.#claims.createIndex({ stream: 1, at: 1 }, { name: "oldest_first" })
      .catch((error) => {
        this.#indexed = undefined;
        throw error;
      });
    return this.#indexed;
  }
}

function key(stream: string, id: string): string {
  return `${stream}/${id}`;
}
