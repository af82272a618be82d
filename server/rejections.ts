/** What every dashboard shows of a stream's dead letters: invalid, late, duplicate and processing-error counts. */

import type { AggregateStore } from "../pipeline/ports.ts";
import {
  INVALID,
  LATE,
  PROCESSING_ERROR,
  REJECTED_DIMENSION,
  TOO_LARGE,
} from "../pipeline/dead_letter.ts";
import type { Rejections } from "./dashboards.ts";
import { countOf } from "../pipeline/aggregate_sums.ts";
import { DUPLICATE } from "../pipeline/dedup.ts";

/** Rejected counts of a stream; records too large to parse count as invalid. */
export async function rejections(aggregates: AggregateStore, stream: string): Promise<Rejections> {
  const rows = await aggregates.totals(stream, REJECTED_DIMENSION);
  const of = (key: string) => countOf(rows.find((r) => r.key === key)?.value ?? 0n);
  return {
    invalid: of(INVALID) + of(TOO_LARGE),
    late: of(LATE),
    processingError: of(PROCESSING_ERROR),
    duplicate: of(DUPLICATE),
  };
}
