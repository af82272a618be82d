/** What every dashboard shows of a stream's dead letters: invalid and late counts. */

import type { AggregateStore } from "../pipeline/ports.ts";
import { INVALID, LATE, REJECTED_DIMENSION } from "../pipeline/processor.ts";
import type { Rejections } from "./dashboards.ts";
import { countOf } from "../pipeline/aggregate_sums.ts";

/** Invalid and late counts of a stream. */
export async function rejections(aggregates: AggregateStore, stream: string): Promise<Rejections> {
  const rows = await aggregates.totals(stream, REJECTED_DIMENSION);
  const of = (key: string) => countOf(rows.find((r) => r.key === key)?.value ?? 0n);
  return { invalid: of(INVALID), late: of(LATE) };
}
