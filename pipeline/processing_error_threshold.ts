/**
 * When a partition's processing errors mean a broken deployment rather than a
 * poison record: more than `share` of the records it processed in the last
 * `windowMs` (processing time) failed with `processing-error`. One bad record
 * costs one record; a transform that throws on every record stops the
 * partition before it dead-letters the stream away.
 *
 * The share is judged only once the window holds a minimum sample (see
 * `minimumSample`), so one failure among a partition's first few records does
 * not stop it.
 */

/** The threshold's two settings. */
export interface ThresholdSettings {
  /** Largest share of a window's records that may fail, 0 to 1 (0.05 = 5 %). */
  share: number;
  /** Length of the sliding window, ms. */
  windowMs: number;
}

/** Fewest records a window must hold before its share of failures is judged, at least. */
export const MIN_SAMPLE = 20;

/** Slots the window is counted in: old records leave it a slot at a time. */
const SLOTS = 60;

/**
 * Records a window must hold before its failures are judged: at least
 * `MIN_SAMPLE`, and enough that one failure alone stays within the share
 * (`1 / share`), so a single poison record never stops a partition; with a
 * share of 0 the first failure stops it.
 */
export function minimumSample(share: number): number {
  return share > 0 ? Math.max(MIN_SAMPLE, Math.ceil(1 / share)) : 1;
}

interface Slot {
  index: number;
  records: number;
  failed: number;
}

/** Counts one partition's recent records and failures in a sliding window. */
export class ProcessingErrorThreshold {
  readonly #share: number;
  readonly #slotMs: number;
  readonly #minimum: number;
  readonly #slots: Slot[] = [];
  #records = 0;
  #failed = 0;

  constructor(settings: ThresholdSettings) {
    this.#share = settings.share;
    this.#slotMs = Math.max(1, settings.windowMs / SLOTS);
    this.#minimum = minimumSample(settings.share);
  }

  /** Counts a record processed without a processing error at `now` (ms). */
  passed(now: number): void {
    this.#count(now, 0);
  }

  /**
   * Counts a record that failed with a processing error at `now` (ms); true
   * when, with it, the window holds at least the minimum sample and more than
   * `share` of its records failed: the partition must stop before this record.
   */
  failed(now: number): boolean {
    this.#count(now, 1);
    return this.#records >= this.#minimum && this.#failed > this.#share * this.#records;
  }

  #count(now: number, failed: number) {
    const index = Math.floor(now / this.#slotMs);
    while (this.#slots.length > 0 && this.#slots[0].index <= index - SLOTS) {
      const old = this.#slots.shift()!;
      this.#records -= old.records;
      this.#failed -= old.failed;
    }
    let last = this.#slots[this.#slots.length - 1];
    if (!last || last.index < index) {
      last = { index, records: 0, failed: 0 };
      this.#slots.push(last);
    }
    last.records++;
    last.failed += failed;
    this.#records++;
    this.#failed += failed;
  }
}
