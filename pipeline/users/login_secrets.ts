/**
 * RandomUser's `login` secrets: a password, its salt and three hashes of it.
 * They are removed at ingestion unless `keepLoginSecrets` is set, and never
 * served, kept or not.
 */

import type { JsonObject } from "../ports.ts";
import { isObject } from "../validation.ts";

/** The fields of `login` that are secrets (`uuid` and `username` are not). */
export const LOGIN_SECRETS = ["password", "salt", "md5", "sha1", "sha256"] as const;

/** A copy of a RandomUser record without the `login` secrets; the record itself is left as it is. */
export function withoutLoginSecrets<T>(record: T): T {
  if (!isObject(record) || !isObject(record.login)) return record;
  const login: JsonObject = { ...(record.login as JsonObject) };
  for (const field of LOGIN_SECRETS) delete login[field];
  return { ...record, login } as T;
}
