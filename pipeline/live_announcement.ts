/**
 * The message a processor writes to a stream's live topic and the web's live
 * feed reads: the contract between the two, so neither imports the other.
 */

import type { JsonObject } from "./ports.ts";
import type { WindowResult } from "./windowing/windows.ts";

/**
 * How long a live topic keeps its announcements (its `retention.ms`): an
 * hour, for an operator to look at in the console. The live feed reads them
 * as they come and nothing reads them later, so the log's own retention (a
 * week by default) only took disk: a fifth of the log's bytes with users at
 * 1,000/s.
 */
export const LIVE_RETENTION_MS = 3_600_000;

/**
 * What a processor announces on the live topic after each batch is stored:
 * one record per batch, not per event, so announcing costs one write.
 */
export interface LiveAnnouncement {
  /** Events the batch stored. */
  count: number;
  /** The newest of them, oldest first, as `StreamDefinition.live` describes them. */
  items: JsonObject[];
  /**
   * Windowed streams: running values of the windows the batch changed, then
   * those it fired (first or again, within allowed lateness; the latest value wins).
   */
  windows?: Array<WindowResult<unknown> & { partition: number }>;
  /**
   * The broker timestamps (ms) of the events the batch stored, so the live
   * feed can measure produce-to-browser latency when it pushes them.
   */
  produced?: number[];
}
