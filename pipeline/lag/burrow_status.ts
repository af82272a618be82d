/**
 * A consumer group's health in Burrow's terms, over a window of the last
 * committed offsets seen on each partition. Pure: the window, the broker's
 * recent end offsets and the time come in as data.
 *
 * The rules and their order are those of `calculatePartitionStatus` in
 * linkedin/Burrow (`core/internal/evaluator/caching.go`):
 * 1. no lag now (at most `allowedLag`): OK;
 * 2. STOP when no offset came for longer than the window spans (now − last >
 *    last − first), unless the group reached a recent end offset;
 * 3. REWIND while the committed offset went back and has not caught up again;
 * 4. only when the lag was above `allowedLag` in every sample: STALL when the
 *    committed offset never moved, WARN when the lag never went down;
 * 5. else OK.
 */

/** A partition's status, worst last: `PARTITION_STATUSES` orders them. */
export type PartitionStatus = "OK" | "WARN" | "REWIND" | "STALL" | "STOP";

/** Statuses from best to worst; a group is as bad as its worst partition. */
export const PARTITION_STATUSES: readonly PartitionStatus[] = [
  "OK",
  "WARN",
  "REWIND",
  "STALL",
  "STOP",
];

/** A committed offset seen at a time, with the lag it had then. */
export interface CommitSample {
  offset: number;
  /** When it was seen, ms since the epoch. */
  at: number;
  /** Records behind the end offset then; `null` when the end was not known. */
  lag: number | null;
}

/** What a partition's status is computed from. */
export interface PartitionWindow {
  /** The last committed offsets seen, oldest first. */
  offsets: readonly CommitSample[];
  /** The partition's recent end offsets (any order). */
  brokerOffsets: readonly number[];
  /** Records behind now. */
  currentLag: number;
  /** Now, ms since the epoch. */
  now: number;
  /** Lag that still counts as caught up (Burrow's `allowed-lag`, 0 by default). */
  allowedLag: number;
}

/** Burrow's status of one partition; OK for an empty window (nothing to judge). */
export function partitionStatus(window: PartitionWindow): PartitionStatus {
  const { offsets, brokerOffsets, currentLag, now, allowedLag } = window;
  if (offsets.length === 0 || currentLag <= allowedLag) return "OK";
  if (offsetsStopped(offsets, now) && !recentLagZero(offsets, brokerOffsets)) return "STOP";
  const rewind = rewindIndex(offsets);
  if (rewind > 0 && !rewindRecovered(offsets, rewind)) return "REWIND";
  if (lagAlwaysNotZero(offsets, allowedLag)) {
    if (offsetsStalled(offsets)) return "STALL";
    if (lagNotDecreasing(offsets)) return "WARN";
  }
  return "OK";
}

/** The worst of `statuses`; OK for none. */
export function worstStatus(statuses: Iterable<PartitionStatus>): PartitionStatus {
  let worst = 0;
  for (const status of statuses) worst = Math.max(worst, PARTITION_STATUSES.indexOf(status));
  return PARTITION_STATUSES[worst];
}

/** Rule 1: the lag was above `allowedLag` in every sample that knew it. */
export function lagAlwaysNotZero(offsets: readonly CommitSample[], allowedLag: number): boolean {
  return offsets.every((o) => o.lag === null || o.lag > allowedLag);
}

/** Rule 2: the index of the first sample whose offset went back, or -1. */
export function rewindIndex(offsets: readonly CommitSample[]): number {
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i].offset < offsets[i - 1].offset) return i;
  }
  return -1;
}

/** Rule 2, part 2: after the rewind at `index`, the offset came back to where it was. */
export function rewindRecovered(offsets: readonly CommitSample[], index: number): boolean {
  const before = offsets[index - 1].offset;
  return offsets.slice(index).some((o) => o.offset >= before);
}

/** Rule 3: no offset came for longer than the window spans. */
export function offsetsStopped(offsets: readonly CommitSample[], now: number): boolean {
  const first = offsets[0].at;
  const last = offsets[offsets.length - 1].at;
  return now - last > last - first;
}

/** Rule 4: the committed offset never moved in the window. */
export function offsetsStalled(offsets: readonly CommitSample[]): boolean {
  return offsets.every((o) => o.offset === offsets[0].offset);
}

/** Rule 5: the lag never went down from one known value to the next. */
export function lagNotDecreasing(offsets: readonly CommitSample[]): boolean {
  let last: number | null = null;
  for (const { lag } of offsets) {
    if (lag === null) continue;
    if (last !== null && lag < last) return false;
    last = lag;
  }
  return true;
}

/** The group was caught up with one of the recent end offsets (so a pause is not a stop yet). */
export function recentLagZero(
  offsets: readonly CommitSample[],
  brokerOffsets: readonly number[],
): boolean {
  const last = offsets[offsets.length - 1].offset;
  return brokerOffsets.some((end) => end <= last);
}
