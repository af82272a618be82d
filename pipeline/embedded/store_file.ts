/** One connection to the embedded store file, shared by the stores of a process. */

import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "./sqlite.ts";
import type { WalCheckpoints } from "./wal_checkpoints.ts";

/**
 * A connection to `store.db` that the raw, aggregate and event id stores of
 * one process share, closed when the last of them closes.
 *
 * A write through one connection makes every other connection to the same
 * file drop its page cache at its next read: with a connection per store,
 * each batch's document upsert emptied the cache the aggregate and event id
 * writes then read their index pages from, and the other way round.
 */
export class StoreFile {
  /** The file's path (`:memory:` for a database that lives in this connection). */
  readonly path: string;
  readonly #db: DatabaseSync;
  #holders = 0;

  /** @param checkpoints who checkpoints its write-ahead log (default `inline`; see `wal_checkpoints.ts`) */
  constructor(path: string, checkpoints: WalCheckpoints = "inline") {
    this.path = path;
    this.#db = openDatabase(path, { checkpoints });
  }

  /** The connection, for one more store; that store calls `release` when it closes. */
  hold(): DatabaseSync {
    this.#holders++;
    return this.#db;
  }

  /** One store is done with the connection; the last one closes it. */
  release(): void {
    this.#holders--;
    if (this.#holders === 0) this.#db.close();
  }
}

/** A shared store file, or the path of a file a store opens for itself. */
export type StoreSource = string | StoreFile;

/** The store file of `source`: the shared one, or one opened for a single store. */
export function storeFile(source: StoreSource): StoreFile {
  return typeof source === "string" ? new StoreFile(source) : source;
}
