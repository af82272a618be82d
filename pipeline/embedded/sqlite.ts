/** Opening the embedded SQLite databases with the settings every adapter relies on. */

import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { FALLBACK_PAGES, INLINE_PAGES, type WalCheckpoints } from "./wal_checkpoints.ts";

/**
 * Opens (creating when needed) a SQLite database in WAL mode.
 *
 * WAL lets the dashboard read while a processor writes and lets several
 * processes append to the same log. `synchronous=NORMAL` keeps every committed
 * transaction across a process crash; only an operating-system crash or power
 * loss can lose the last transactions. The write-ahead log is checkpointed
 * every 8 MB and cut back to 16 MB after a checkpoint, so it stays a small
 * fixed part of the disk a data directory takes (it kept up to 64 MB per
 * file, a third of the disk of 100,000 users). A checkpoint syncs the file
 * and holds up the commit that runs it: at 16 MB that stall set the p99 of
 * produce-to-browser at 1,000 users/s (94–124 ms, against 68–79 ms at 8 MB,
 * with the same throughput); at 4 MB throughput fell by a sixth. With
 * `checkpoints: "background"` a thread of the process checkpoints instead
 * (see `wal_checkpoints.ts`) and the connection only past 16 MB.
 */
export function openDatabase(
  path: string,
  options: { checkpoints?: WalCheckpoints } = {},
): DatabaseSync {
  if (path !== ":memory:") Deno.mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  const autocheckpoint = options.checkpoints === "background" ? FALLBACK_PAGES : INLINE_PAGES;
  // The wait for locks first: setting the journal mode takes one, and another
  // connection (the checkpoints thread) may hold it for a moment.
  db.exec(`
    PRAGMA busy_timeout = 15000;
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = ON;
    PRAGMA wal_autocheckpoint = ${autocheckpoint};
    PRAGMA journal_size_limit = 16777216;
    PRAGMA cache_size = -65536;
  `);
  return db;
}

/**
 * Opens a read-only connection to an existing database for one long scan
 * (an export): a 1 MB page cache, since a scan reads each page once, and
 * the shared connection's cache stays with the pages its readers use again.
 */
export function openScanConnection(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec(`
    PRAGMA busy_timeout = 15000;
    PRAGMA cache_size = -1024;
  `);
  return db;
}

/**
 * Adds a nullable column to a table made by an earlier version without it;
 * a table that has it is left alone. Under the write lock, so two
 * connections opening the file at once add it once.
 */
export function addColumnIfMissing(
  db: DatabaseSync,
  { table, column, type }: { table: string; column: string; type: string },
): void {
  transaction(db, () => {
    const columns = db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as Array<
      { name: string }
    >;
    if (!columns.some((c) => c.name === column)) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  });
}

/** Runs `work` in one write transaction (`BEGIN IMMEDIATE`), rolling back if it throws. */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
