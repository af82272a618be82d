/**
 * A group's lag over the last hour (or any span), for its graph: one point
 * per sample, the oldest dropped as they age out. Pure: times come in with
 * the points.
 */

/** A group's lag at one sample. */
export interface LagPoint {
  /** When it was sampled, ms since the epoch. */
  t: number;
  /** Records behind, summed over partitions. */
  lag: number;
  /** Seconds behind, the worst partition's; `null` while not yet known. */
  lagSeconds: number | null;
}

/** The lag points of the last `spanMs`, oldest first. */
export class LagHistory {
  readonly #points: LagPoint[] = [];
  readonly #spanMs: number;

  constructor(spanMs: number) {
    this.#spanMs = spanMs;
  }

  /** Adds the newest point; points older than the span before it go, as does one not newer than the last. */
  add(point: LagPoint): void {
    const last = this.#points.at(-1);
    if (last && last.t >= point.t) return;
    this.#points.push(point);
    const oldest = point.t - this.#spanMs;
    let drop = 0;
    while (this.#points[drop].t < oldest) drop++;
    this.#points.splice(0, drop);
  }

  /** The points, oldest first (a copy). */
  points(): LagPoint[] {
    return this.#points.map((p) => ({ ...p }));
  }
}
