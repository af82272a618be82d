/** The body of `POST /api/console/dead-letters/<stream>/replay`, checked. Pure. */

import { isObject } from "../pipeline/validation.ts";
import { type DeadLetterFilter, parseFilter } from "./dead_letter_view.ts";
import { MAX_PER_REQUEST, parseCursor, type Position, type ScanCursor } from "./dead_letters.ts";
import { HttpError } from "./http_error.ts";

/** What to replay: dead letters by position, or those a filter takes. */
export type ReplayRequest =
  | { kind: "offsets"; positions: Position[] }
  | { kind: "filter"; filter: DeadLetterFilter; cursor?: ScanCursor };

const FILTER_KEYS = ["reason", "from", "to", "cursor"];

/**
 * `{ "offsets": [{ "partition", "offset" }] }`, or `{ "reason"?, "from"?,
 * "to"?, "cursor"? }` with at least one of `reason`, `from`, `to`.
 *
 * @throws {HttpError} 400 saying what the body must hold and what came
 */
export function parseReplayRequest(body: unknown): ReplayRequest {
  const usage = 'send { "offsets": [{ "partition": 0, "offset": 12 }] } or a filter ' +
    '{ "reason": "late", "from": "<ISO time>", "to": "<ISO time>" }';
  if (!isObject(body)) throw new HttpError(400, `the body must be a JSON object: ${usage}`);
  const keys = Object.keys(body);
  if ("offsets" in body) {
    if (keys.length > 1) {
      throw new HttpError(400, `give either offsets or a filter, not both: ${usage}`);
    }
    return { kind: "offsets", positions: positionsOf(body.offsets) };
  }
  const unknown = keys.filter((k) => !FILTER_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new HttpError(400, `unknown field ${JSON.stringify(unknown[0].slice(0, 40))}: ${usage}`);
  }
  if (!keys.some((k) => k !== "cursor")) {
    throw new HttpError(400, `name the dead letters to replay: ${usage}`);
  }
  const filter = parseFilter(body);
  if (body.cursor === undefined) return { kind: "filter", filter };
  if (typeof body.cursor !== "string") {
    throw new HttpError(400, "cursor must be the text a replay or list gave out");
  }
  return { kind: "filter", filter, cursor: parseCursor(body.cursor) };
}

function positionsOf(offsets: unknown): Position[] {
  if (!Array.isArray(offsets) || offsets.length === 0 || offsets.length > MAX_PER_REQUEST) {
    throw new HttpError(
      400,
      `offsets must be a list of 1 to ${MAX_PER_REQUEST} { "partition", "offset" } objects`,
    );
  }
  return offsets.map((item, i) => {
    const { partition, offset } = isObject(item) ? item : {};
    if (!isIndex(partition) || !isIndex(offset) || Object.keys(item).length !== 2) {
      throw new HttpError(
        400,
        `offsets[${i}] must be { "partition", "offset" } with whole numbers from 0, got ${
          JSON.stringify(item)?.slice(0, 80)
        }`,
      );
    }
    return { partition, offset };
  });
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
