/**
 * The machine's one-thread floor for a stream (issue 13 point 1): a plain
 * loop doing the same durable work as the pipeline, with nothing else. In
 * transactions of 1,000 records it appends each record's bytes to a SQLite
 * log, reads them back, parses them, derives a field, stores the document
 * and counts the records by one field; both files as the embedded mode opens
 * them (WAL). The bench reports each stream's end-to-end rate as a multiple
 * of this.
 */

import type { DatabaseSync } from "node:sqlite";
import { openDatabase, transaction } from "../pipeline/embedded/sqlite.ts";
import type { JsonObject } from "../pipeline/ports.ts";

/** Records per transaction, as the issue describes the floor. */
export const FLOOR_BATCH = 1000;

/** What the floor derives from a stream's record and counts it by. */
export interface FloorWork {
  /** A derived field added to the stored document. */
  derive(value: JsonObject): string;
  /** The key the record is counted under. */
  countBy(value: JsonObject): string;
}

const text = (value: unknown): string => typeof value === "string" ? value : String(value);

/** The floor's derivation per stream; a stream not listed is counted as one key. */
const WORK: Record<string, FloorWork> = {
  users: {
    derive: (u) => {
      const name = u.name as JsonObject;
      return `${text(name.first)} ${text(name.last)}`;
    },
    countBy: (u) => text(u.gender),
  },
  sales: { derive: (s) => `${text(s.city)}, ${text(s.country)}`, countBy: (s) => text(s.category) },
  products: { derive: (p) => text(p.product).toLowerCase(), countBy: (p) => text(p.product) },
};

const GENERIC: FloorWork = {
  derive: (v) => text(v.timestamp ?? ""),
  countBy: (v) => text(v.event_type ?? v.kind ?? "all"),
};

/** The floor's work for a stream. */
export function floorWork(stream: string): FloorWork {
  return WORK[stream] ?? GENERIC;
}

/** The records a floor run works through: their keys and bytes, made before the clock starts. */
export interface FloorInput {
  stream: string;
  keys: readonly (string | null)[];
  values: readonly Uint8Array[];
  /** Directory the run's two SQLite files are created in (removed by the caller). */
  dir: string;
}

/** What a floor run did. */
export interface FloorResult {
  recordsPerS: number;
  /** Documents stored and records counted, to check the run did all its work. */
  stored: number;
  counted: number;
}

/** Runs the floor once over `input`'s records. */
export function runFloor(input: FloorInput): FloorResult {
  const work = floorWork(input.stream);
  const log = openDatabase(`${input.dir}/floor-log.db`);
  const store = openDatabase(`${input.dir}/floor-store.db`);
  try {
    log.exec(`CREATE TABLE records (partition INTEGER NOT NULL, offset INTEGER NOT NULL,
      key TEXT, value BLOB NOT NULL, PRIMARY KEY (partition, offset))`);
    store.exec(`
      CREATE TABLE documents (id TEXT PRIMARY KEY, ts INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL);
    `);
    const started = performance.now();
    for (let first = 0; first < input.values.length; first += FLOOR_BATCH) {
      const last = Math.min(input.values.length, first + FLOOR_BATCH);
      append(log, { input, first, last });
      storeBatch(store, work, readBack(log, first, last));
    }
    const seconds = (performance.now() - started) / 1000;
    const stored = (store.prepare("SELECT COUNT(*) AS n FROM documents").get() as { n: number }).n;
    const counted = (store.prepare("SELECT SUM(n) AS n FROM counts").get() as { n: number }).n;
    return { recordsPerS: input.values.length / seconds, stored, counted };
  } finally {
    log.close();
    store.close();
  }
}

function append(
  log: DatabaseSync,
  { input, first, last }: { input: FloorInput; first: number; last: number },
) {
  const insert = log.prepare(
    "INSERT INTO records (partition, offset, key, value) VALUES (0, ?, ?, ?)",
  );
  transaction(log, () => {
    for (let i = first; i < last; i++) insert.run(i, input.keys[i], input.values[i]);
  });
}

function readBack(
  log: DatabaseSync,
  first: number,
  last: number,
): Array<{ offset: number; key: string | null; value: Uint8Array }> {
  return log.prepare(
    "SELECT offset, key, value FROM records WHERE partition = 0 AND offset >= ? AND offset < ?",
  ).all(first, last) as unknown as Array<
    { offset: number; key: string | null; value: Uint8Array }
  >;
}

const decoder = new TextDecoder();

function storeBatch(
  store: DatabaseSync,
  work: FloorWork,
  rows: Array<{ offset: number; key: string | null; value: Uint8Array }>,
) {
  const upsert = store.prepare(
    `INSERT INTO documents (id, ts, doc) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET ts = excluded.ts, doc = excluded.doc`,
  );
  const count = store.prepare(
    `INSERT INTO counts (key, n) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`,
  );
  const counts = new Map<string, number>();
  const ts = Date.now();
  transaction(store, () => {
    for (const row of rows) {
      const value = JSON.parse(decoder.decode(row.value)) as JsonObject;
      const doc = { ...value, derived: work.derive(value) };
      upsert.run(row.key ?? String(row.offset), ts, JSON.stringify(doc));
      const key = work.countBy(value);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of counts) count.run(key, n);
  });
}
