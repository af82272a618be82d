/** The embedded event id store: claimed ids per stream in a SQLite table of the store file. */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { EventClaim, EventIdStore, SourcePosition } from "../ports.ts";
import { transaction } from "./sqlite.ts";
import { MultiRowStatement, placeholders } from "./multi_row.ts";
import { type StoreFile, storeFile, type StoreSource } from "./store_file.ts";

/** An `EventIdStore` on a SQLite file. */
export class SqliteEventIdStore implements EventIdStore {
  readonly #file: StoreFile;
  readonly #db: DatabaseSync;
  readonly #insert: MultiRowStatement;
  readonly #owner: StatementSync;
  readonly #expire: StatementSync;
  readonly #release: StatementSync;

  /** Opens the store on a shared store file, or on a file of its own at a path. */
  constructor(source: StoreSource) {
    this.#file = storeFile(source);
    this.#db = this.#file.hold();
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS event_ids (
        stream TEXT NOT NULL,
        id TEXT NOT NULL,
        partition INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (stream, id)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS event_ids_oldest ON event_ids (stream, at);
    `);
    this.#insert = new MultiRowStatement(
      this.#db,
      (rows) =>
        `INSERT INTO event_ids (stream, id, partition, offset, at) VALUES ${placeholders(rows, 5)}
         ON CONFLICT (stream, id) DO NOTHING`,
    );
    this.#owner = this.#db.prepare(
      "SELECT partition, offset FROM event_ids WHERE stream = ? AND id = ?",
    );
    this.#expire = this.#db.prepare("DELETE FROM event_ids WHERE stream = ? AND at < ?");
    this.#release = this.#db.prepare(
      "DELETE FROM event_ids WHERE stream = ? AND id = ? AND partition = ? AND offset = ?",
    );
  }

  claim(stream: string, claims: EventClaim[]): Promise<Map<string, SourcePosition>> {
    return Promise.try(() =>
      // One write transaction: no other process can take an id between the insert and the read.
      transaction(this.#db, () => {
        const owners = new Map<string, SourcePosition>();
        const runs = this.#insert.run(claims, (c) => [stream, c.id, c.partition, c.offset, c.at]);
        for (const { first, last, changes } of runs) {
          // Every claim of the run took its id: each owns its own (the common case).
          if (changes === last - first) {
            for (let i = first; i < last; i++) {
              const c = claims[i];
              owners.set(c.id, { partition: c.partition, offset: c.offset });
            }
            continue;
          }
          // Some ids were taken, before or by an earlier claim of this batch: read their owners.
          for (let i = first; i < last; i++) {
            const row = this.#owner.get(stream, claims[i].id) as {
              partition: number;
              offset: number;
            };
            owners.set(claims[i].id, {
              partition: Number(row.partition),
              offset: Number(row.offset),
            });
          }
        }
        return owners;
      })
    );
  }

  release(stream: string, claims: Array<SourcePosition & { id: string }>): Promise<void> {
    return Promise.try(() =>
      transaction(this.#db, () => {
        for (const c of claims) this.#release.run(stream, c.id, c.partition, c.offset);
      })
    );
  }

  expire(stream: string, before: number): Promise<void> {
    return Promise.try(() => void this.#expire.run(stream, before));
  }

  close(): Promise<void> {
    this.#file.release();
    return Promise.resolve();
  }
}
