/** The embedded raw store: documents per collection in a SQLite table. */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { DocumentPage, JsonObject, RawStore, StoredDocument } from "../ports.ts";
import { openDatabase, transaction } from "./sqlite.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";

interface Row {
  id: string;
  ts: number;
  doc: string;
}

/**
 * Documents per page of `all`: each page is one indexed query, and the first
 * waits for a whole page to be parsed (a CSV export's first row: ~200 ms for
 * 1,000 users on a loaded machine, a tenth of that for 100).
 */
const PAGE = 100;

/** A `RawStore` on a SQLite file. */
export class SqliteRawStore implements RawStore {
  readonly #db: DatabaseSync;
  readonly #upsert: StatementSync;
  readonly #first: StatementSync;
  readonly #after: StatementSync;
  readonly #count: StatementSync;
  readonly #get: StatementSync;
  readonly #between: StatementSync;

  constructor(path: string) {
    this.#db = openDatabase(path);
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS documents (
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (collection, id)
      );
      CREATE INDEX IF NOT EXISTS documents_newest ON documents (collection, ts DESC, id DESC);
    `);
    this.#upsert = this.#db.prepare(
      `INSERT INTO documents (collection, id, ts, doc) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET ts = excluded.ts, doc = excluded.doc`,
    );
    this.#first = this.#db.prepare(
      `SELECT id, ts, doc FROM documents WHERE collection = ?
       ORDER BY ts DESC, id DESC LIMIT ?`,
    );
    this.#after = this.#db.prepare(
      `SELECT id, ts, doc FROM documents
       WHERE collection = ? AND (ts < ? OR (ts = ? AND id < ?))
       ORDER BY ts DESC, id DESC LIMIT ?`,
    );
    this.#count = this.#db.prepare("SELECT COUNT(*) AS n FROM documents WHERE collection = ?");
    this.#get = this.#db.prepare(
      "SELECT id, ts, doc FROM documents WHERE collection = ? AND id = ?",
    );
    this.#between = this.#db.prepare(
      `SELECT id, ts, doc FROM documents WHERE collection = ? AND ts >= ? AND ts < ?
       ORDER BY ts, id`,
    );
  }

  upsert(collection: string, docs: StoredDocument[]): Promise<void> {
    return Promise.try(() =>
      transaction(this.#db, () => {
        for (const d of docs) this.#upsert.run(collection, d.id, d.ts, JSON.stringify(d.doc));
      })
    );
  }

  list(collection: string, options: { limit: number; cursor?: string }): Promise<DocumentPage> {
    return Promise.try(() => {
      const limit = options.limit;
      const rows = (options.cursor === undefined ? this.#first.all(collection, limit + 1) : (() => {
        const { ts, id } = decodeCursor(options.cursor);
        return this.#after.all(collection, ts, ts, id, limit + 1);
      })()) as unknown as Row[];
      const items = rows.slice(0, limit).map(toDocument);
      const last = items[items.length - 1];
      return { items, next: rows.length > limit ? encodeCursor(last) : null };
    });
  }

  async latest(collection: string): Promise<StoredDocument | undefined> {
    return (await this.list(collection, { limit: 1 })).items[0];
  }

  get(collection: string, id: string): Promise<StoredDocument | undefined> {
    return Promise.try(() => {
      const row = this.#get.get(collection, id) as Row | undefined;
      return row && toDocument(row);
    });
  }

  between(collection: string, from: number, to: number): Promise<StoredDocument[]> {
    return Promise.try(() =>
      (this.#between.all(collection, from, to) as unknown as Row[]).map(toDocument)
    );
  }

  count(collection: string): Promise<number> {
    return Promise.try(() => (this.#count.get(collection) as { n: number }).n);
  }

  async *all(collection: string): AsyncIterable<StoredDocument> {
    let cursor: string | undefined;
    do {
      const page = await this.list(collection, { limit: PAGE, cursor });
      yield* page.items;
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}

function toDocument(row: Row): StoredDocument {
  return { id: row.id, ts: row.ts, doc: JSON.parse(row.doc) as JsonObject };
}
