/**
 * RandomUser's `login` secrets: a password, its salt and three hashes of it.
 * They are removed at ingestion unless `keepLoginSecrets` is set, and never
 * served, kept or not.
 */

import type { JsonObject } from "../ports.ts";
import { isObject } from "../validation.ts";

/** The fields of `login` that are secrets (`uuid` and `username` are not). */
export const LOGIN_SECRETS = ["password", "salt", "md5", "sha1", "sha256"] as const;

const SECRETS: ReadonlySet<string> = new Set(LOGIN_SECRETS);

/**
 * A copy of a RandomUser record without the `login` secrets; the record
 * itself is left as it is. The copy of `login` is built from the fields it
 * keeps, not by deleting fields: an object with deleted fields becomes a slow
 * dictionary in V8, and encoding the stored document took twice as long.
 */
export function withoutLoginSecrets<T>(record: T): T {
  if (!isObject(record) || !isObject(record.login)) return record;
  const kept = Object.entries(record.login).filter(([field]) => !SECRETS.has(field));
  return { ...record, login: Object.fromEntries(kept) as JsonObject } as T;
}
