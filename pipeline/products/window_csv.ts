/**
 * One CSV file per closed products window, as the reference Flink job wrote
 * them: `id,product,description,price,kdv,total,window_end`, RFC 4180 (CRLF,
 * quoted where needed, through `csv-stringify`). A file is written to a
 * temporary name, synced and renamed, so a reader never sees half of one, and
 * a window whose file exists is never written again. Cells are neutralised
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
 * Writes `text` as `<dir>/<name>` unless that file exists: to a temporary
 * file first, synced, then linked into place (a link, unlike a rename, never
 * replaces a file another writer put there first). Temporary files of the same
 * name, ours or left by a writer that died, are removed once the file exists.
 * @returns whether this call wrote the file
 */
export async function writeOnce(dir: string, name: string, text: string): Promise<boolean> {
  const path = `${dir}/${name}`;
  if (await exists(path)) {
    await removeLeftovers(dir, name);
    return false;
  }
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${dir}/.${name}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const bytes = new TextEncoder().encode(text);
  const file = await Deno.open(temp, { write: true, createNew: true });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
  try {
    await Deno.link(temp, path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    // Our temporary file was cleared by a writer that finished the same file first.
    if (error instanceof Deno.errors.NotFound && await exists(path)) return false;
    throw error;
  } finally {
    await removeLeftovers(dir, name);
  }
}

/**
 * Removes the temporary files of `name` once the file itself exists: ours, and
 * any a writer killed mid-write left behind.
 */
async function removeLeftovers(dir: string, name: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(`.${name}.`) && entry.name.endsWith(".tmp")) {
      await Deno.remove(`${dir}/${entry.name}`).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
