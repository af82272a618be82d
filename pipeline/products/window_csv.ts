/**
 * One CSV file per closed products window, as the reference Flink job wrote
 * them: `id,product,description,price,kdv,total,window_end`, RFC 4180 (CRLF,
 * quoted where needed, through `csv-stringify`). A file is written to a
 * temporary name, synced and renamed over the old one, so a reader sees the
 * whole old file or the whole new one, never half of one: a window that fires
 * again within its allowed lateness has its file rewritten. Cells are neutralised
 * as in every CSV we write (`neutralizeCell`): such a file is opened in
 * spreadsheets too, where a product named `=HYPERLINK(...)` would run.
 */

import { stringify } from "csv-stringify/sync";
import type { StoredDocument } from "../ports.ts";
import { neutralizeCell, RFC_4180 } from "../csv_format.ts";

/** Header of every window file, in order. */
export const PRODUCT_CSV_COLUMNS = [
  "id",
  "product",
  "description",
  "price",
  "kdv",
  "total",
  "window_end",
] as const;

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replaceAll(":", "-");
}

/**
 * File name of a window: `products_2025-02-16T07-28-00_2025-02-16T07-30-00.csv`
 * (UTC), with `_p<n>` for a partition other than 0.
 */
export function windowFileName(start: number, end: number, partition: number): string {
  return `products_${stamp(start)}_${stamp(end)}${partition === 0 ? "" : `_p${partition}`}.csv`;
}

/** True for names `windowFileName` makes (the only files the dashboard serves). */
export function isWindowFileName(name: string): boolean {
  return /^products_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(_p\d+)?\.csv$/
    .test(name);
}

/** The CSV row of a stored product document, in source order, cells neutralised. */
export function productCsvRow(doc: StoredDocument, windowEnd: string): string[] {
  const d = doc.doc;
  return [
    String(d.id),
    String(d.product),
    String(d.description),
    String(d.price),
    String(d.kdv),
    String(d.total),
    windowEnd,
  ].map(neutralizeCell);
}

/** The whole file: header and rows. */
export function windowCsv(rows: string[][]): string {
  return stringify([[...PRODUCT_CSV_COLUMNS], ...rows], RFC_4180);
}

/**
 * How often a write starts over when a concurrent writer cleared its temporary
 * file; each time one of them finished, so this bounds only a runaway.
 */
const ATTEMPTS = 100;

/**
 * Writes `text` as `<dir>/<name>`, replacing the file if it exists: to a
 * temporary file first, synced, then renamed into place (atomic, so a
 * reader or a crash never leaves half a file). Temporary files of the same
 * name, left by a writer that died, are removed once the file is in place.
 * @throws {Error} when concurrent writers clear this call's temporary file `ATTEMPTS` times in a row
 */
export async function replaceAtomically(dir: string, name: string, text: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${name}`;
  const bytes = new TextEncoder().encode(text);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const temp = `${dir}/.${name}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    const file = await Deno.open(temp, { write: true, createNew: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    try {
      await Deno.rename(temp, path);
    } catch (error) {
      // A concurrent writer of the same file cleared our temporary file: write it again.
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    await removeLeftovers(dir, name);
    return;
  }
  throw new Error(`${path}: concurrent writers cleared the temporary file ${ATTEMPTS} times`);
}

/** Removes the temporary files of `name` once the file itself is in place: any a writer killed mid-write left behind. */
async function removeLeftovers(dir: string, name: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(`.${name}.`) && entry.name.endsWith(".tmp")) {
      await Deno.remove(`${dir}/${entry.name}`).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }
}
