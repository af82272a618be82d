/**
 * A clickstream topic's Parquet archive: a directory of immutable Parquet
 * files and a SQLite spool that makes "every record exactly once" hold across
 * crashes, whatever the broker does.
 *
 * Records are staged in the spool (durable once `stage` returns, so the
 * caller may then let the broker commit). A flush writes spooled rows to a
 * hidden temp file and syncs it, then in one transaction removes them from the
 * spool, raises each partition's archived high-water mark and records the file
 * as pending, then renames the file into place and clears the mark. Replayed
 * records at or below a high-water mark are ignored, a pending file is rolled
 * forward on the next open or flush, and any other temp file is an aborted
 * flush whose rows are still spooled, so it is deleted. A reader listing
 * `*.parquet` only ever sees complete files.
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname, join } from "node:path";
import { ByteWriter, parquetWrite, type SchemaElement } from "hyparquet-writer";
import { type ArchiveFiles, DENO_ARCHIVE_FILES } from "./archive_files.ts";
import { MultiRowStatement, placeholders } from "../embedded/multi_row.ts";
import { type ClickstreamEvent, type ClickstreamTopic, EVENT_TYPE, type Timed } from "./events.ts";
import {
  ARCHIVE_SCHEMA,
  type ArchiveColumn,
  type ArchiveColumnType,
  type ArchiveRow,
  toArchiveRow,
} from "./parquet_schema.ts";

/** Most rows one archive file holds unless told otherwise. */
export const DEFAULT_MAX_ROWS_PER_FILE = 100_000;

/** Name of the spool database inside an archive directory (`_` so table readers skip it). */
export const SPOOL_FILE = "_spool.db";

/** The archive directory of a topic: `<dataDir>/parquet/<topic>`. */
export function archiveDir(dataDir: string, topic: ClickstreamTopic): string {
  return join(dataDir, "parquet", topic);
}

/** A validated record and where it came from, ready to stage. */
export interface StagedRecord {
  partition: number;
  offset: number;
  record: Timed<ClickstreamEvent>;
}

/** One file a flush wrote. */
export interface FlushResult {
  /** File name, `<topic>-<UTC yyyyMMddTHHmmssSSS>-<seq>.parquet`. */
  file: string;
  /** Full path of the file. */
  path: string;
  rows: number;
  bytes: number;
}

/** Where and how an archive is kept. */
export interface ParquetArchiveOptions {
  /** Data directory; the archive lives in `archiveDir(dataDir, topic)`. */
  dataDir: string;
  topic: ClickstreamTopic;
  /** Most rows per file (default `DEFAULT_MAX_ROWS_PER_FILE`); a flush writes one file. */
  maxRowsPerFile?: number;
  /** Clock for file names, ms since the epoch. */
  now?: () => number;
  /** The file operations a flush makes durable (default: the real file system). */
  files?: ArchiveFiles;
}

interface SpoolRow {
  partition: number;
  offset: number;
  ts: number;
  event: string;
}

const TEMP_FILE = /^\.(.+\.parquet)\.tmp$/;

/** A topic's Parquet archive and its staging spool. Methods are synchronous, so they never interleave. */
export class ParquetArchive {
  /** The archive directory. */
  readonly dir: string;
  readonly topic: ClickstreamTopic;
  /** Most rows one file holds. */
  readonly maxRowsPerFile: number;
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #files: ArchiveFiles;
  /** Stages rows, many per statement run, unless their partition archived them already. */
  readonly #stage: MultiRowStatement;
  readonly #sql: Record<
    | "batch"
    | "deleteUpTo"
    | "raiseMark"
    | "marks"
    | "count"
    | "nextSeq"
    | "setSeq"
    | "addPending"
    | "pending"
    | "clearPending",
    StatementSync
  >;
  #closed = false;

  /**
   * Opens (creating when needed) the archive of `options.topic`, finishing
   * whatever a crashed flush left behind.
   *
   * @throws {Error} when a committed file is missing from the directory
   * (deleted by hand): its rows are no longer anywhere.
   */
  constructor(options: ParquetArchiveOptions) {
    const maxRows = options.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE;
    if (!Number.isSafeInteger(maxRows) || maxRows < 1) {
      throw new RangeError(`maxRowsPerFile must be a positive integer, got ${maxRows}`);
    }
    this.topic = options.topic;
    this.dir = archiveDir(options.dataDir, options.topic);
    this.maxRowsPerFile = maxRows;
    this.#now = options.now ?? Date.now;
    this.#files = options.files ?? DENO_ARCHIVE_FILES;
    this.#db = openSpool(join(this.dir, SPOOL_FILE));
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS spool (
        partition INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (partition, offset)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS archived (
        partition INTEGER PRIMARY KEY,
        high_water INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS pending (file TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS sequence (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        next INTEGER NOT NULL
      );
      INSERT OR IGNORE INTO sequence (id, next) VALUES (0, 1);
    `);
    this.#stage = new MultiRowStatement(
      this.#db,
      (rows) =>
        `INSERT OR IGNORE INTO spool (partition, offset, ts, event)
         SELECT v.column1, v.column2, v.column3, v.column4 FROM (VALUES ${
          placeholders(rows, 4)
        }) AS v
         WHERE NOT EXISTS (
           SELECT 1 FROM archived WHERE partition = v.column1 AND high_water >= v.column2
         )`,
    );
    this.#sql = {
      batch: this.#db.prepare(
        "SELECT partition, offset, ts, event FROM spool ORDER BY partition, offset LIMIT ?",
      ),
      deleteUpTo: this.#db.prepare("DELETE FROM spool WHERE partition = ? AND offset <= ?"),
      raiseMark: this.#db.prepare(
        `INSERT INTO archived (partition, high_water) VALUES (?1, ?2)
         ON CONFLICT (partition) DO UPDATE SET high_water = max(high_water, ?2)`,
      ),
      marks: this.#db.prepare("SELECT partition, high_water FROM archived ORDER BY partition"),
      count: this.#db.prepare("SELECT count(*) AS n FROM spool"),
      nextSeq: this.#db.prepare("SELECT next FROM sequence WHERE id = 0"),
      setSeq: this.#db.prepare("UPDATE sequence SET next = ? WHERE id = 0"),
      addPending: this.#db.prepare("INSERT INTO pending (file) VALUES (?)"),
      pending: this.#db.prepare("SELECT file FROM pending ORDER BY file"),
      clearPending: this.#db.prepare("DELETE FROM pending WHERE file = ?"),
    };
    try {
      this.#locked(() => this.#settle());
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * Stages records durably. Records already spooled, or at or below their
   * partition's archived high-water mark (replays), are ignored.
   * Returns how many were new.
   *
   * @throws {TypeError} for a record of another topic's type
   * @throws {RangeError} for a partition or offset that is not a non-negative integer
   */
  stage(records: readonly StagedRecord[]): number {
    this.#open();
    const expected = EVENT_TYPE[this.topic];
    for (const { partition, offset, record } of records) {
      if (!Number.isSafeInteger(partition) || partition < 0) {
        throw new RangeError(`partition must be a non-negative integer, got ${partition}`);
      }
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
      }
      if (record.event.event_type !== expected) {
        throw new TypeError(
          `the ${this.topic} archive takes "${expected}" records, got "${record.event.event_type}"`,
        );
      }
    }
    if (records.length === 0) return 0;
    return this.#locked(() => {
      let added = 0;
      const runs = this.#stage.run(records, ({ partition, offset, record }) => [
        partition,
        offset,
        record.ts,
        JSON.stringify(record.event),
      ]);
      for (const { changes } of runs) added += changes;
      return added;
    });
  }

  /**
   * Writes the oldest spooled rows (by partition, then offset), at most
   * `maxRowsPerFile`, as one Parquet file. Returns what it wrote, or
   * `undefined` when the spool is empty (no empty files). Call again while it
   * returns a file to drain a large spool.
   */
  flush(): FlushResult | undefined {
    this.#open();
    this.#db.exec("BEGIN IMMEDIATE");
    let temp: string | undefined;
    let result: FlushResult | undefined;
    try {
      this.#settle();
      const spooled = this.#sql.batch.all(this.maxRowsPerFile) as unknown as SpoolRow[];
      if (spooled.length > 0) {
        const seq = Number((this.#sql.nextSeq.get() as { next: number }).next);
        const name = archiveFileName(this.topic, this.#now(), seq);
        temp = join(this.dir, tempName(name));
        const data = encodeArchive(this.topic, spooled.map(toRow));
        this.#files.writeSynced(temp, data);
        this.#files.syncDirectory(this.dir);
        const highest = new Map<number, number>();
        for (const row of spooled) highest.set(Number(row.partition), Number(row.offset));
        for (const [partition, offset] of highest) {
          this.#sql.deleteUpTo.run(partition, offset);
          this.#sql.raiseMark.run(partition, offset);
        }
        this.#sql.addPending.run(name);
        this.#sql.setSeq.run(seq + 1);
        result = {
          file: name,
          path: join(this.dir, name),
          rows: spooled.length,
          bytes: data.length,
        };
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#rollback();
      if (temp !== undefined) this.#files.remove(temp);
      throw error;
    }
    if (result === undefined) return undefined;
    this.#publish(result.file);
    return result;
  }

  /** Names of the archive's complete files, oldest first. */
  files(): string[] {
    const names: string[] = [];
    for (const entry of Deno.readDirSync(this.dir)) {
      if (entry.isFile && !entry.name.startsWith(".") && entry.name.endsWith(".parquet")) {
        names.push(entry.name);
      }
    }
    return names.sort();
  }

  /** How many rows wait in the spool. */
  spooled(): number {
    this.#open();
    return Number((this.#sql.count.get() as { n: number }).n);
  }

  /** Highest archived offset of each partition that has archived rows. */
  highWaterMarks(): Map<number, number> {
    this.#open();
    const rows = this.#sql.marks.all() as unknown as { partition: number; high_water: number }[];
    return new Map(rows.map((r) => [Number(r.partition), Number(r.high_water)]));
  }

  /** Closes the spool. Spooled rows stay for the next open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new Error(`the ${this.topic} archive is closed`);
  }

  /** Runs `work` holding the spool's write lock, which every flush holds from read to commit. */
  #locked<T>(work: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#rollback();
      throw error;
    }
  }

  /** Rolls back unless SQLite already did (a failed COMMIT may), keeping the first error. */
  #rollback(): void {
    if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
  }

  /**
   * Rolls pending files forward and deletes orphaned temp files. Runs under
   * the write lock: any flush in progress holds it until its file is pending,
   * so a temp file not pending now belongs to a flush that died.
   */
  #settle(): void {
    const pending = new Set(
      (this.#sql.pending.all() as unknown as { file: string }[]).map((r) => r.file),
    );
    for (const name of pending) this.#publish(name);
    for (const entry of Deno.readDirSync(this.dir)) {
      const match = TEMP_FILE.exec(entry.name);
      if (entry.isFile && match && !pending.has(match[1])) {
        this.#files.remove(join(this.dir, entry.name));
      }
    }
  }

  /** Moves a committed temp file to its name (idempotent) and clears its pending mark. */
  #publish(name: string): void {
    const final = join(this.dir, name);
    // Not renamed: another process, or an earlier attempt, renamed it already.
    if (!this.#files.rename(join(this.dir, tempName(name)), final) && !exists(final)) {
      throw new Error(
        `archive file ${final} was committed but neither it nor its temp file exists, ` +
          `so its rows are lost; to go on, delete its row from the pending table of ${SPOOL_FILE}`,
      );
    }
    this.#files.syncDirectory(this.dir);
    this.#sql.clearPending.run(name);
  }
}

/** `<topic>-<UTC yyyyMMddTHHmmssSSS>-<seq>.parquet`, seq padded to six digits so names sort. */
export function archiveFileName(topic: ClickstreamTopic, ms: number, seq: number): string {
  const stamp = new Date(ms).toISOString().replace(/[-:.Z]/g, "");
  return `${topic}-${stamp}-${String(seq).padStart(6, "0")}.parquet`;
}

/** The Parquet schema of a topic's archive files. */
export function parquetSchema(topic: ClickstreamTopic): SchemaElement[] {
  const columns: readonly ArchiveColumn[] = ARCHIVE_SCHEMA[topic] as readonly ArchiveColumn[];
  return [
    { name: "schema", num_children: columns.length },
    ...columns.map((column) => schemaElement(column.name, column.type)),
  ];
}

/**
 * Encodes rows of one topic as a Parquet file (Snappy, with statistics).
 * Pure: returns the file's bytes.
 */
export function encodeArchive(topic: ClickstreamTopic, rows: readonly ArchiveRow[]): Uint8Array {
  const columns: readonly ArchiveColumn[] = ARCHIVE_SCHEMA[topic] as readonly ArchiveColumn[];
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema: parquetSchema(topic),
    columnData: columns.map(({ name }) => ({
      name,
      data: rows.map((row) => (row as unknown as Record<string, unknown>)[name]),
    })),
    rowGroupSize: DEFAULT_MAX_ROWS_PER_FILE,
    kvMetadata: [{ key: "streamboard.topic", value: topic }],
    createdBy: "StreamBoard Parquet archive (hyparquet-writer)",
  });
  return writer.getBytes();
}

function schemaElement(name: string, type: ArchiveColumnType): SchemaElement {
  const required = { name, repetition_type: "REQUIRED" } as const;
  switch (type) {
    case "string":
      return {
        ...required,
        type: "BYTE_ARRAY",
        converted_type: "UTF8",
        logical_type: { type: "STRING" },
      };
    case "int32":
      return { ...required, type: "INT32" };
    case "int64":
      return { ...required, type: "INT64" };
    case "double":
      return { ...required, type: "DOUBLE" };
    case "timestamp_millis_utc":
      return {
        ...required,
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
      };
  }
}

/**
 * Opens the spool in WAL mode. Unlike `openDatabase`, the busy timeout comes
 * first, so a second process opening the same spool waits instead of failing
 * with "database is locked" on the switch to WAL; and commits are synced
 * (`FULL`), because a staged record must survive power loss: the broker's
 * commit follows it.
 */
function openSpool(path: string): DatabaseSync {
  Deno.mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA busy_timeout = 15000;");
  switchToWal(db);
  db.exec("PRAGMA synchronous = FULL;");
  return db;
}

/** Most tries of the switch to WAL, 10 ms apart (see `switchToWal`). */
const WAL_SWITCH_TRIES = 100;

/**
 * Switches a spool to WAL mode, trying again while another process switches
 * the same new file: both read it, both need it alone to switch, and SQLite
 * refuses one of them at once ("database is locked") instead of calling the
 * busy handler, since waiting there could deadlock. The switch is done once
 * per file, so the retry only ever runs when two processes create a spool
 * together; anything still failing after a second is thrown.
 */
function switchToWal(db: DatabaseSync): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let tried = 1;; tried++) {
    try {
      db.exec("PRAGMA journal_mode = WAL;");
      return;
    } catch (error) {
      if (tried >= WAL_SWITCH_TRIES) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

function toRow(row: SpoolRow): ArchiveRow {
  const event = JSON.parse(row.event) as ClickstreamEvent;
  return toArchiveRow(
    { event, ts: Number(row.ts) },
    { partition: Number(row.partition), offset: Number(row.offset) },
  );
}

function tempName(name: string): string {
  return `.${name}.tmp`;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
