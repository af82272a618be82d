/**
 * Reads Parquet files back for tests with Apache Arrow's Rust implementation
 * (`parquet-wasm`), a reader independent of the writer the archive uses.
 */

import { readParquet } from "parquet-wasm";
import { tableFromIPC, Type } from "apache-arrow";

/** A column as the reader sees it: its name and Arrow type (`Int32`, `Timestamp<MILLISECOND, UTC>`). */
export interface ReadColumn {
  name: string;
  type: string;
  nullable: boolean;
}

/** A whole Parquet file: its columns in order and its rows. */
export interface ReadTable {
  columns: ReadColumn[];
  /** Values as Arrow gives them, except timestamps in ms, which become `Date`s. */
  rows: Record<string, unknown>[];
}

/** Reads every row of a Parquet file. */
export function readParquetFile(path: string): ReadTable {
  return readParquetBytes(Deno.readFileSync(path));
}

/** Reads every row of a Parquet file's bytes. */
export function readParquetBytes(bytes: Uint8Array): ReadTable {
  const table = tableFromIPC(readParquet(bytes).intoIPCStream());
  const fields = table.schema.fields;
  const columns = fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable }));
  const vectors = fields.map((f) => table.getChild(f.name)!);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    fields.forEach((field, c) => {
      const value: unknown = vectors[c].get(i);
      row[field.name] = field.typeId === Type.Timestamp && typeof value === "number"
        ? new Date(value)
        : value;
    });
    rows.push(row);
  }
  return { columns, rows };
}
