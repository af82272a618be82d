/**
 * What a stream processor reports of each batch it stored, for `/metrics`
 * and the pages' latency figures. Plain data, so a processor worker can post
 * it to the main thread beside its health reports.
 */

/** One stored batch of one partition. */
export interface BatchMetrics {
  stream: string;
  partition: number;
  /** Records accepted and stored (not dead-lettered, not already included). */
  processed: number;
  /** Per accepted record: its broker timestamp to the moment every sink acknowledged, ms. */
  latenciesMs: number[];
  /** How long the batch's sink writes took together, ms. */
  storeWriteMs: number;
}

/** Where a processor sends what it reports of each batch. */
export type BatchMetricsReporter = (metrics: BatchMetrics) => void;
