/**
 * What a stream processor reports about its errors as they happen, for the
 * health report: each record dead-lettered as `processing-error` (a bug that
 * cost one record) and each partition it stopped (a broken deployment).
 * Plain data, so a processor worker can post it to the main thread.
 */

import type { PartitionStop } from "./errors.ts";

/** One thing a processor reports. */
export type ProcessorErrorEvent =
  /** A record made our code throw and was dead-lettered; the partition goes on. */
  | { kind: "processing-error"; stream: string; partition: number; offset: number; at: number }
  /** A partition stopped: readiness fails until the deployment is fixed and restarted. */
  | { kind: "stopped"; stop: PartitionStop };

/** Where a processor sends what it reports. */
export type ProcessorErrorReporter = (event: ProcessorErrorEvent) => void;
