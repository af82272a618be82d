/** The partitioning key of a user record. */

import { at } from "../validation.ts";

/** `login.uuid` of a record, or null when it has none (the processor then dead-letters it). */
export function userKey(value: unknown): string | null {
  const uuid = at(value, "login.uuid");
  return typeof uuid === "string" && uuid !== "" ? uuid : null;
}
