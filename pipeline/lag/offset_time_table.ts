/**
 * Lag in seconds as kafka-lag-exporter estimates it: each partition keeps a
 * table of sampled `(end offset, time)` points; the time at which the end
 * offset passed a group's committed offset is read off that table by linear
 * interpolation (extrapolation outside it), and the lag in seconds is the
 * time from then to the sample. Pure: times come in with the points.
 *
 * Follows `LookupTable.MemoryTable` of seglo/kafka-lag-exporter: points out
 * of order in time are refused, a run of equal offsets is kept as its first
 * and last point, the newest segment holding the offset is the one used, and
 * the oldest and newest points extrapolate outside the table.
 */

/** The end offset of a partition at a time, ms since the epoch. */
export interface OffsetPoint {
  offset: number;
  time: number;
}

/** What `add` did with a point. */
export type AddPointResult =
  /** Appended. */
  | "inserted"
  /** Replaced the newest point of a flat run (same end offset as the two before). */
  | "updated"
  /** Ignored: not newer than the newest point. */
  | "out-of-order"
  /**
   * The end offset went down, which a log never does unless its topic was
   * deleted and created again: the table started over from this point (the
   * exporter ignores such points and would keep estimating from the old topic).
   */
  | "reset";

/** What the table says about when the end offset passed an offset. */
export type OffsetLookup =
  | { kind: "too-few-points" }
  /** The offset is the newest end offset: nothing is behind. */
  | { kind: "lag-is-zero" }
  /** The end offset passed the offset at `time` (ms, may be ±Infinity on a flat table). */
  | { kind: "prediction"; time: number };

/** How much an `OffsetTimeTable` keeps. */
export interface OffsetTimeTableOptions {
  /** Most points kept (the exporter's `lookup-table.memory.size`). */
  maxPoints: number;
  /** Points older than this before the newest point are dropped, ms. */
  retentionMs: number;
}

/** The sampled end offsets of one partition, oldest first. */
export class OffsetTimeTable {
  readonly #points: OffsetPoint[] = [];
  readonly #options: OffsetTimeTableOptions;

  constructor(options: OffsetTimeTableOptions) {
    if (options.maxPoints < 2) {
      throw new RangeError(`an offset table needs room for 2 points, got ${options.maxPoints}`);
    }
    this.#options = options;
  }

  /** The points kept, oldest first. */
  get points(): readonly OffsetPoint[] {
    return this.#points;
  }

  /** Adds the end offset sampled at `point.time` (the newest time the table knows). */
  add(point: OffsetPoint): AddPointResult {
    const points = this.#points;
    const newest = points.at(-1);
    if (newest && newest.time >= point.time) return "out-of-order";
    if (newest && newest.offset > point.offset) {
      points.length = 0;
      points.push(point);
      return "reset";
    }
    const oldest = point.time - this.#options.retentionMs;
    while (points.length > 0 && points[0].time < oldest) points.shift();
    if (this.#isFlat(point)) {
      // A producer that stopped would fill the table with one offset; moving the run's end keeps its start.
      points[points.length - 1] = point;
      return "updated";
    }
    if (points.length === this.#options.maxPoints) points.shift();
    points.push(point);
    return "inserted";
  }

  /** When the end offset passed `offset`, by the newest segment that holds it or by extrapolation. */
  lookup(offset: number): OffsetLookup {
    const points = this.#points;
    if (points.length > 0 && points[points.length - 1].offset === offset) {
      return { kind: "lag-is-zero" };
    }
    if (points.length < 2) return { kind: "too-few-points" };
    for (let i = points.length - 1; i > 0; i--) {
      const left = points[i - 1];
      const right = points[i];
      if (offset >= left.offset && offset <= right.offset) {
        return { kind: "prediction", time: predict(offset, left, right) };
      }
    }
    return { kind: "prediction", time: predict(offset, points[0], points[points.length - 1]) };
  }

  #isFlat(point: OffsetPoint): boolean {
    const points = this.#points;
    return points.length > 1 && points[points.length - 1].offset === point.offset &&
      points[points.length - 2].offset === point.offset;
  }
}

/** The x intercept of the line through `left` and `right` at `offset` (the exporter's `predict`). */
function predict(offset: number, left: OffsetPoint, right: OffsetPoint): number {
  const dx = right.time - left.time;
  const dy = right.offset - left.offset;
  const missing = right.offset - offset;
  return right.time - (missing * dx) / dy;
}

/**
 * Seconds a group with `committed` is behind at `now`: 0 when it has read
 * everything, `null` while the table has too few points to tell.
 *
 * Two edges differ from the exporter, which reports them as they fall out of
 * the arithmetic: a committed offset ahead of the sampled end (the end is
 * sampled a moment before the commit) is 0 seconds, not negative; and when
 * the end offset never moved in the whole table (a stopped producer) while
 * the group is behind, the exporter says +Infinity, which JSON cannot carry:
 * we say what is known for sure, that the records the group has not read
 * were all written before the oldest point, so it is at least that far behind.
 */
export function lagSeconds(table: OffsetTimeTable, committed: number, now: number): number | null {
  const found = table.lookup(committed);
  if (found.kind === "too-few-points") return null;
  if (found.kind === "lag-is-zero") return 0;
  const points = table.points;
  if (committed >= points[points.length - 1].offset) return 0;
  const time = Number.isFinite(found.time) ? found.time : points[0].time;
  return Math.max(0, (now - time) / 1000);
}
