/** What every broker adapter checks of the topics it is asked to create. */

import type { TopicSpec } from "./ports.ts";

/**
 * Refuses a topic without a whole number of partitions from 1 up, or with a
 * retention that is not a whole number of ms from 1 up: a bug in the caller.
 *
 * @throws {RangeError} naming the topic and the value
 */
export function assertTopicSpecs(topics: readonly TopicSpec[]): void {
  for (const { name, partitions, retentionMs } of topics) {
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new RangeError(`topic "${name}" needs at least 1 partition, got ${partitions}`);
    }
    if (retentionMs !== undefined && (!Number.isInteger(retentionMs) || retentionMs < 1)) {
      throw new RangeError(
        `topic "${name}" needs a retention of at least 1 ms, got ${retentionMs}`,
      );
    }
  }
}
