/**
 * The services-mode raw store: one MongoDB collection per stream.
 *
 * Uses only what FerretDB 1.x also supports (unordered inserts, replaceOne
 * upserts in unordered bulk writes, find with sort and limit, countDocuments, plain indexes): no
 * transactions, change streams or aggregation expressions.
 */

import type { Collection, Db, Filter, MongoClient } from "mongodb";
import type {
  DocumentPage,
  DocumentQuery,
  JsonObject,
  RawStore,
  StoredDocument,
} from "../ports.ts";
import { checkedConditions, literalPattern } from "../document_query.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { duplicateKeyIndexes } from "./duplicate_keys.ts";
import { connectMongo, type MongoConnectOptions } from "./connect.ts";

/** A document as stored: the event id is the primary key. */
interface RawDocument {
  _id: string;
  ts: number;
  doc: JsonObject;
}

/** Settings of `MongoRawStore.connect`. */
export interface MongoRawStoreOptions extends MongoConnectOptions {
  /**
   * Documents fetched per round trip by `all` and `between` (default 100):
   * FerretDB answers a batch once it has read all of it, so the first
   * document of an export waits for a whole batch (measured under load: 2.3 s
   * for 1,000, 0.14-0.3 s for 100), while the documents per second stay the same.
   */
  pageSize?: number;
}

/** Most replaceOne statements in one update command (see `upsert`). */
const REPLACE_CHUNK = 25;

/** "Newest first", ties broken by id; the index below serves it. */
const NEWEST_FIRST = { ts: -1, _id: -1 } as const;

/** A `RawStore` on MongoDB (or FerretDB). */
export class MongoRawStore implements RawStore {
  /**
   * FerretDB on SQLite scans and sorts a collection for "newest first" even
   * with the `newest_first` index (seconds at 100,000 documents), so streams
   * keep their newest as entries of their own on any MongoDB-wire server.
   */
  readonly listsNewestFromIndex = false;
  readonly #client: MongoClient;
  readonly #db: Db;
  readonly #pageSize: number;
  /** Collections whose index exists (or is being created) in this process. */
  readonly #indexed = new Map<string, Promise<unknown>>();

  private constructor(client: MongoClient, dbName: string, pageSize: number) {
    this.#client = client;
    this.#db = client.db(dbName);
    this.#pageSize = pageSize;
  }

  /**
   * Connects to `url` and uses database `dbName`.
   *
   * @throws {Error} naming the server (without credentials) when it cannot
   * be reached in time.
   * @example
   * const url = "mongodb://127.0.0.1:27017/";
   * const store = await MongoRawStore.connect(url, "streamboard");
   */
  static async connect(
    url: string,
    dbName: string,
    options: MongoRawStoreOptions = {},
  ): Promise<MongoRawStore> {
    const client = await connectMongo(url, options);
    return new MongoRawStore(client, dbName, options.pageSize ?? 100);
  }

  async remove(collection: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#collection(collection).deleteMany({ _id: { $in: [...ids] } });
  }

  async upsert(collection: string, docs: StoredDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const target = this.#collection(collection);
    await this.#ensureIndex(collection, target);
    // Insert first: new ids (the common case) go in one fast unordered
    // insertMany; only ids that already exist (replays, re-sent users,
    // checkpoints) are replaced. On FerretDB's SQLite backend an update by
    // `_id` grows with the collection (measured: 0.5-1 s per replaceOne at
    // 30,000 user profiles, while an insert stays under 20 ms), so a single
    // document takes this path too.
    const existing = new Set<number>();
    try {
      await target.insertMany(
        docs.map((d) => ({ _id: d.id, ts: d.ts, doc: d.doc })),
        { ordered: false },
      );
    } catch (error) {
      const writeErrors = duplicateKeyIndexes(error);
      if (writeErrors === undefined) throw error;
      for (const index of writeErrors) existing.add(index);
    }
    if (existing.size === 0) return;
    const last = new Map<string, StoredDocument>();
    for (const index of existing) last.set(docs[index].id, docs[index]);
    for (const d of docs) if (last.has(d.id)) last.set(d.id, d);
    // FerretDB 1.24 (SQLite) keeps one pooled connection per matched update
    // statement until the whole command ends; at 100 (its pool size per
    // database) the command deadlocks for good. Small commands stay clear.
    // Replays (the usual reason for many existing ids) store the same
    // documents: read what is stored in one query and replace only what
    // changed. One existing id (a checkpoint) is simply replaced.
    const stored = last.size === 1
      ? []
      : await target.find({ _id: { $in: [...last.keys()] } }).toArray();
    const same = new Set(
      stored.filter((s) => {
        const d = last.get(s._id)!;
        return s.ts === d.ts && JSON.stringify(s.doc) === JSON.stringify(d.doc);
      }).map((s) => s._id),
    );
    const replacements = [...last.values()].filter((d) => !same.has(d.id));
    for (let i = 0; i < replacements.length; i += REPLACE_CHUNK) {
      await target.bulkWrite(
        replacements.slice(i, i + REPLACE_CHUNK).map((d) => ({
          replaceOne: {
            filter: { _id: d.id },
            replacement: { ts: d.ts, doc: d.doc },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    }
  }

  async list(
    collection: string,
    options: { limit: number; cursor?: string },
  ): Promise<DocumentPage> {
    const { limit } = options;
    let filter: Filter<RawDocument> = {};
    if (options.cursor !== undefined) {
      const { ts, id } = decodeCursor(options.cursor);
      filter = { $or: [{ ts: { $lt: ts } }, { ts, _id: { $lt: id } }] };
    }
    const rows = await this.#collection(collection)
      .find(filter, { sort: NEWEST_FIRST, limit: limit + 1 })
      .toArray();
    const items = rows.slice(0, limit).map(toDocument);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit ? encodeCursor(last) : null };
  }

  async latest(collection: string): Promise<StoredDocument | undefined> {
    const newest = { sort: NEWEST_FIRST };
    const row = await this.#collection(collection).findOne({}, newest);
    return row ? toDocument(row) : undefined;
  }

  async get(collection: string, id: string): Promise<StoredDocument | undefined> {
    const row = await this.#collection(collection).findOne({ _id: id });
    return row ? toDocument(row) : undefined;
  }

  async between(collection: string, from: number, to: number): Promise<StoredDocument[]> {
    const rows = await this.#collection(collection)
      .find({ ts: { $gte: from, $lt: to } }, { sort: { ts: 1, _id: 1 }, batchSize: this.#pageSize })
      .toArray();
    return rows.map(toDocument);
  }

  count(collection: string, query?: DocumentQuery): Promise<number> {
    return this.#collection(collection).countDocuments(query ? mongoFilter(query) : {});
  }

  async *find(collection: string, query: DocumentQuery): AsyncIterable<StoredDocument> {
    const cursor = this.#collection(collection)
      .find(mongoFilter(query), { sort: NEWEST_FIRST, batchSize: this.#pageSize });
    try {
      for await (const row of cursor) yield toDocument(row);
    } finally {
      await cursor.close();
    }
  }

  /**
   * Every document in the server's storage order: FerretDB on SQLite does not
   * sort through an index, so "newest first" would read and sort the whole
   * collection before the first document (seconds at 100,000 users); in
   * storage order the first page comes at once.
   */
  async *all(collection: string): AsyncIterable<StoredDocument> {
    const cursor = this.#collection(collection).find({}, { batchSize: this.#pageSize });
    try {
      for await (const row of cursor) yield toDocument(row);
    } finally {
      await cursor.close();
    }
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  #collection(name: string): Collection<RawDocument> {
    return this.#db.collection<RawDocument>(name);
  }

  /** Creates the "newest first" index once per collection, on first write. */
  #ensureIndex(
    name: string,
    collection: Collection<RawDocument>,
  ): Promise<unknown> {
    let indexed = this.#indexed.get(name);
    if (!indexed) {
      indexed = collection.createIndex(NEWEST_FIRST, { name: "newest_first" })
        .catch((error) => {
          this.#indexed.delete(name);
          throw error;
        });
      this.#indexed.set(name, indexed);
    }
    return indexed;
  }
}

/** `query` as a MongoDB filter (only operators FerretDB 1.x has: $gte, $lt, $lte, $in, $regex). */
function mongoFilter(query: DocumentQuery): Filter<RawDocument> {
  const and: Filter<RawDocument>[] = [];
  if (query.from !== undefined) and.push({ ts: { $gte: query.from } });
  if (query.to !== undefined) and.push({ ts: { $lt: query.to } });
  for (const condition of checkedConditions(query)) {
    const path = `doc.${condition.field}`;
    if ("oneOf" in condition) {
      and.push({ [path]: { $in: [...condition.oneOf] } });
    } else if ("contains" in condition) {
      and.push({ [path]: { $regex: literalPattern(condition.contains), $options: "i" } });
    } else {
      if (condition.min !== undefined) and.push({ [path]: { $gte: condition.min } });
      if (condition.max !== undefined) and.push({ [path]: { $lte: condition.max } });
    }
  }
  return and.length === 0 ? {} : { $and: and };
}

function toDocument(row: RawDocument): StoredDocument {
  return { id: row._id, ts: row.ts, doc: row.doc };
}
