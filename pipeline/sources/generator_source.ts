/** The built-in source: an endless (or counted) seeded stream of generated records. */

import { type Random, seededRandom } from "../random.ts";
import { jsonRecord, type SourceRecord } from "./source.ts";

/** Options of a generated stream. */
export interface GeneratorOptions {
  seed: number;
  /** Stop after this many records; unset runs until the consumer stops. */
  count?: number;
  /** Clock, ms since the epoch. */
  now?: () => number;
}

/**
 * Yields `make(random, now)` records keyed by `keyOf`.
 *
 * @example
 * const users = generatedRecords(generateUser, userKey, { seed: 1, count: 10 });
 */
export async function* generatedRecords<T>(
  make: (random: Random, now: number) => T,
  keyOf: (value: unknown) => string | null,
  options: GeneratorOptions,
): AsyncGenerator<SourceRecord> {
  const random = seededRandom(options.seed);
  const now = options.now ?? Date.now;
  for (let i = 0; options.count === undefined || i < options.count; i++) {
    yield jsonRecord(make(random, now()), keyOf);
  }
}
