/** The partitioning key of a user record. */

import { at } from "../validation.ts";

/**
 * `login.uuid` of a record in lower case, so the same uuid in another case
 * lands on the same partition as the user it names; null when it has none
 * (the processor then dead-letters it).
 */
export function userKey(value: unknown): string | null {
  const uuid = at(value, "login.uuid");
  return typeof uuid === "string" && uuid !== "" ? uuid.toLowerCase() : null;
}
