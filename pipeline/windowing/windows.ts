/**
 * The event-time windowing engine every windowed stream shares. Pure: time
 * comes in as arguments, state goes out as plain JSON checkpoints.
 *
 * Windows are tumbling, hopping, session (per key, merging) or the one global
 * window, and kept per source partition, so the state
 * of a partition moves with the partition when a consumer group rebalances.
 * Event time follows Apache Flink's DataStream windows (`WindowOperator` with
 * `BoundedOutOfOrdernessWatermarks` and the event-time trigger): a
 * partition's watermark is the highest event time it has seen minus the
 * out-of-orderness bound, never moving back. A window fires (emits its value
 * as final) when the watermark reaches its last millisecond (`end - 1 <=
 * watermark`); its state is kept for the allowed lateness after that, and a
 * record arriving meanwhile updates it and fires it again. It is dropped at
 * its cleanup time (`end - 1 + allowedLateness <= watermark`). A record is
 * late (the caller dead-letters it) only when every window it belongs to is
 * past its cleanup time; a record older than the watermark whose window is
 * still open simply counts. A partition that has received nothing for
 * the idle timeout follows the most advanced partition (in the spirit of
 * Flink's `withIdleness`), so a quiet partition does not keep its windows open forever.
 * An event time further ahead of the processing clock than `maxFutureMs` is
 * refused (the caller dead-letters it), so one record can never move the
 * watermark past what the clock allows; old event times stay valid.
 */

import type { Json } from "../ports.ts";

/** Out-of-orderness, lateness, idleness and future bound of a stream's windows. */
export interface WindowTiming {
  /** The watermark trails the highest event time seen by this much, ms (Flink's out-of-orderness bound). */
  outOfOrdernessMs: number;
  /** How long after firing a window still takes records and fires again, ms (Flink's allowed lateness). */
  allowedLatenessMs: number;
  /** After this long without records (processing time, ms) a partition counts as idle. */
  idleTimeoutMs: number;
  /** How far ahead of the processing clock an event time may be and still count, ms. */
  maxFutureMs: number;
}

/** Tumbling or hopping windows: fixed length, aligned to the epoch, the same for every record. */
export interface SlidingSpec extends WindowTiming {
  /** Window length, ms. */
  sizeMs: number;
  /** Distance between window starts, ms: `sizeMs` for tumbling windows, less for hopping ones. */
  slideMs: number;
}

/**
 * Session windows (Flink's `EventTimeSessionWindows`): per key, a record
 * opens `[ts, ts + gapMs)`, and windows of the same key that overlap or touch
 * merge into one, so a session ends after `gapMs` without a record of its key.
 */
export interface SessionSpec extends WindowTiming {
  /** Inactivity that ends a session, ms. */
  gapMs: number;
}

/**
 * One window per partition over all time, which never fires (Flink's
 * `GlobalWindows`): nothing is ever late. For a stream whose figures are all
 * time totals, written as aggregate cells; the engine still keeps the
 * partition's offsets and event time, and refuses event times past the
 * future bound.
 */
export interface GlobalSpec extends WindowTiming {
  global: true;
}

/** Shape and timing of a stream's windows. */
export type WindowSpec = SlidingSpec | SessionSpec | GlobalSpec;

/** Whether `spec` describes session windows. */
export function isSession(spec: WindowSpec): spec is SessionSpec {
  return "gapMs" in spec;
}

/** Whether `spec` describes the global window. */
export function isGlobal(spec: WindowSpec): spec is GlobalSpec {
  return "global" in spec;
}

function checkTiming(timing: WindowTiming): WindowTiming {
  if (
    !(timing.outOfOrdernessMs >= 0) || !(timing.allowedLatenessMs >= 0) ||
    !(timing.idleTimeoutMs > 0) || !(timing.maxFutureMs >= 0)
  ) {
    throw new RangeError(
      "out-of-orderness, allowed lateness and the future bound must be at least 0 and the idle timeout positive",
    );
  }
  const { outOfOrdernessMs, allowedLatenessMs, idleTimeoutMs, maxFutureMs } = timing;
  return { outOfOrdernessMs, allowedLatenessMs, idleTimeoutMs, maxFutureMs };
}

/** Tumbling windows of `sizeMs`. */
export function tumbling(sizeMs: number, timing: WindowTiming): SlidingSpec {
  return hopping(sizeMs, sizeMs, timing);
}

/**
 * Hopping windows of `sizeMs` starting every `slideMs`.
 * @throws {RangeError} unless both are positive integers and the slide divides the size
 */
export function hopping(sizeMs: number, slideMs: number, timing: WindowTiming): SlidingSpec {
  if (
    !Number.isInteger(sizeMs) || !Number.isInteger(slideMs) || sizeMs <= 0 || slideMs <= 0 ||
    sizeMs % slideMs !== 0
  ) {
    throw new RangeError(
      `windows need whole positive ms with the slide dividing the size, got size ${sizeMs} and slide ${slideMs}`,
    );
  }
  return { sizeMs, slideMs, ...checkTiming(timing) };
}

/**
 * Session windows ending after `gapMs` without a record of their key.
 * @throws {RangeError} unless the gap is a positive whole number of ms
 */
export function session(gapMs: number, timing: WindowTiming): SessionSpec {
  if (!Number.isInteger(gapMs) || gapMs <= 0) {
    throw new RangeError(`a session gap must be a whole positive number of ms, got ${gapMs}`);
  }
  return { gapMs, ...checkTiming(timing) };
}

/** The global window (see `GlobalSpec`). */
export function globalWindow(timing: WindowTiming): GlobalSpec {
  return { global: true, ...checkTiming(timing) };
}

/** Starts of every window that holds `ts`, oldest first. */
export function windowStartsOf(ts: number, spec: SlidingSpec): number[] {
  const last = Math.floor(ts / spec.slideMs) * spec.slideMs;
  const starts: number[] = [];
  for (let start = last - spec.sizeMs + spec.slideMs; start <= last; start += spec.slideMs) {
    starts.push(start);
  }
  return starts;
}

/** How values of type `V` fold into a window's accumulator `A` (plain JSON, so it checkpoints). */
export interface Aggregation<V, A> {
  empty(): A;
  /** Returns the new accumulator; must not change `acc`. */
  add(acc: A, value: V): A;
  /**
   * Session windows: the accumulator of two sessions of one key that a record
   * joined (Flink's `AggregateFunction.merge`); must change neither.
   */
  merge?(a: A, b: A): A;
  /** Session windows: the key a value's sessions are kept under (Flink's `keyBy`); one key when absent. */
  key?(value: V): string;
  /**
   * Folds a window into a running total when it is dropped at its cleanup
   * time, so what all past windows add up to is checkpointed with the
   * partition (`PartitionCheckpoint.retired`) while their state is not kept.
   */
  retire?(total: Json | undefined, window: WindowResult<A>): Json;
}

/** The aggregation of a global window: its figures are aggregate cells, it holds nothing. */
export const NOTHING: Aggregation<unknown, null> = { empty: () => null, add: () => null };

/**
 * A window's value: running while open, final when it fires. A window fires
 * once when the watermark passes its end and again for each record its
 * allowed lateness lets in; the last final value is the window's value.
 * A session that a record merged into a longer one is replaced by it.
 */
export interface WindowResult<A> {
  /** Session windows: the key (see `Aggregation.key`). */
  key?: string;
  start: number;
  end: number;
  value: A;
  final: boolean;
}

/** Whether the watermark has passed the window ending at `end`: it has fired. */
function hasFired(end: number, watermark: number | null): boolean {
  return watermark !== null && end - 1 <= watermark;
}

/** Whether the window ending at `end` is past its cleanup time: it takes no more records. */
function isExpired(end: number, spec: WindowSpec, watermark: number | null): boolean {
  return watermark !== null && end - 1 + spec.allowedLatenessMs <= watermark;
}

/** A window in a checkpoint; `key` and `end` only for session windows. */
export interface CheckpointWindow<A> {
  key?: string;
  start: number;
  end?: number;
  value: A;
}

/** A partition's window state as plain JSON, saved with the offset it includes. */
export interface PartitionCheckpoint<A> {
  /** Highest source offset included; -1 before the first. */
  offset: number;
  /** Highest event time seen, ms; `null` before the first record. */
  maxEventTime: number | null;
  /** Event-time watermark, ms; `null` before the first record. */
  watermark: number | null;
  /** Open windows (not fired yet), oldest first. */
  windows: CheckpointWindow<A>[];
  /**
   * Windows that fired and are within their allowed lateness, oldest first;
   * absent in checkpoints saved before allowed lateness was kept apart.
   */
  fired?: CheckpointWindow<A>[];
  /** What the windows dropped so far add up to (see `Aggregation.retire`). */
  retired?: Json;
}

/** What adding one record did. */
export type AddOutcome<A> =
  | {
    kind: "added";
    /** Running values of the open windows the record changed. */
    running: WindowResult<A>[];
    /**
     * Windows that fired, with their final values: fired windows the record
     * updated within their allowed lateness (fired again), then those the
     * record's watermark advance fired.
     */
    closed: WindowResult<A>[];
  }
  /** Every window of the record is past its cleanup time: dead-letter it with reason `late`. */
  | { kind: "late"; watermark: number }
  /** The record's event time is past `limit` (the clock plus `maxFutureMs`): dead-letter it. */
  | { kind: "future"; limit: number }
  /** The offset is already included (a replay after a crash): nothing changed. */
  | { kind: "included" };

/**
 * What restoring a checkpoint whose event time was beyond the clock changed:
 * such a checkpoint was saved before event times were bounded, and keeping it
 * would dead-letter every record as late until the clock caught up.
 */
export interface Healed {
  /** The checkpoint's highest event time and watermark, ms. */
  maxEventTime: number | null;
  watermark: number | null;
  /** What they are now, ms. */
  nowMaxEventTime: number | null;
  nowWatermark: number | null;
  /** Windows dropped: they started past the bound, so only refused event times were in them. */
  dropped: number;
}

/** A window held in memory. */
interface Held<A> {
  key: string;
  start: number;
  end: number;
  value: A;
}

/** A window one record changes: its id, new extent and value, and the windows it replaces. */
interface Update<A> {
  id: string;
  window: Held<A>;
  open: boolean;
  replaces: string[];
}

function idOf(key: string, start: number): string {
  return `${key}\u0000${start}`;
}

/** Fewest window ids a partition keeps for reuse (see `#slidingId`). */
const SLIDING_IDS_KEPT = 256;

/** The earliest end of `windows`; `Infinity` when there are none. */
function earliestEnd<A>(windows: Map<string, Held<A>>): number {
  let earliest = Infinity;
  for (const w of windows.values()) if (w.end < earliest) earliest = w.end;
  return earliest;
}

function byTime<A>(a: Held<A>, b: Held<A>): number {
  return a.start - b.start || a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** What a partition's windows start from. */
export interface PartitionWindowsOptions<V, A> {
  /** Shape and timing of the windows. */
  spec: WindowSpec;
  /** How records fold into a window's accumulator. */
  aggregation: Aggregation<V, A>;
  /** Processing time, ms since the epoch; a checkpoint beyond it is healed. */
  now: number;
  /** Where an earlier instance left off; none to start empty. */
  checkpoint?: PartitionCheckpoint<A>;
}

/** A record for `PartitionWindows.add`, with the processing time it arrives at. */
export interface WindowInput<V> {
  /** Offset of the record in its partition; records arrive in offset order. */
  offset: number;
  /** Event time, ms since the epoch. */
  ts: number;
  /** What the aggregation folds into the record's windows. */
  value: V;
  /** Processing time, ms since the epoch. */
  now: number;
}

/** A record for `WindowEngine.add`: a `WindowInput` and the partition it comes from. */
export interface PartitionInput<V> extends WindowInput<V> {
  /** The source partition, which must be restored first. */
  partition: number;
}

/** The windows of one source partition. */
export class PartitionWindows<V, A> {
  readonly #spec: WindowSpec;
  readonly #aggregation: Aggregation<V, A>;
  /** Windows not fired yet, by key and start. */
  readonly #windows = new Map<string, Held<A>>();
  /** Windows fired and within their allowed lateness, by key and start. */
  readonly #fired = new Map<string, Held<A>>();
  /**
   * Session windows: the ids of each key's held windows, open or fired, so a
   * record looks at its own key's sessions, not at every session held.
   */
  readonly #idsByKey = new Map<string, Set<string>>();
  /** Ids of recent tumbling and hopping windows by start (see `#slidingId`). */
  readonly #slidingIds = new Map<number, string>();
  /** No open window ends before this (a lower bound): a watermark short of it fires none. */
  #openEndsFrom = Infinity;
  /** No fired window ends before this (a lower bound): a watermark short of its cleanup drops none. */
  #firedEndsFrom = Infinity;
  #retired: Json | undefined;
  #offset: number;
  #maxEventTime: number | null;
  #watermark: number | null;
  #lastEventAt: number;
  /** Set when the checkpoint was beyond the clock and was brought back (see `Healed`). */
  readonly healed: Healed | undefined;

  /**
   * Starts empty, or where `checkpoint` left off; `now` is processing time, ms.
   * A checkpoint whose highest event time or watermark is past `now +
   * maxFutureMs` is healed: its highest event time becomes `now`, its
   * watermark at most `now - outOfOrdernessMs`, and windows starting past
   * the bound are dropped.
   *
   * @throws {RangeError} for session windows whose aggregation cannot merge
   */
  constructor({ spec, aggregation, now, checkpoint }: PartitionWindowsOptions<V, A>) {
    if (isSession(spec) && !aggregation.merge) {
      throw new RangeError("session windows need an aggregation that can merge two sessions");
    }
    this.#spec = spec;
    this.#aggregation = aggregation;
    this.#offset = checkpoint?.offset ?? -1;
    this.#maxEventTime = checkpoint?.maxEventTime ?? null;
    this.#watermark = checkpoint?.watermark ?? null;
    this.#retired = checkpoint?.retired;
    // A global window holds nothing: windows in its checkpoint are per-minute windows that
    // earlier versions kept for streams that now count all time only.
    let windows = isGlobal(spec) ? [] : checkpoint?.windows ?? [];
    let fired = isGlobal(spec) ? [] : checkpoint?.fired ?? [];
    const limit = now + spec.maxFutureMs;
    if (
      (this.#maxEventTime !== null && this.#maxEventTime > limit) ||
      (this.#watermark !== null && this.#watermark > limit)
    ) {
      const kept = windows.filter((w) => w.start <= limit);
      const keptFired = fired.filter((w) => w.start <= limit);
      const maxEventTime = this.#maxEventTime;
      const watermark = this.#watermark;
      this.#maxEventTime = maxEventTime === null ? null : Math.min(maxEventTime, now);
      this.#watermark = watermark === null
        ? null
        : Math.min(watermark, now - spec.outOfOrdernessMs);
      this.healed = {
        maxEventTime,
        watermark,
        nowMaxEventTime: this.#maxEventTime,
        nowWatermark: this.#watermark,
        dropped: windows.length - kept.length + fired.length - keptFired.length,
      };
      windows = kept;
      fired = keptFired;
    }
    for (const w of windows) this.#hold(true, w);
    for (const w of fired) this.#hold(false, w);
    this.#lastEventAt = now;
  }

  #hold(open: boolean, saved: CheckpointWindow<A>) {
    const spec = this.#spec;
    const key = saved.key ?? "";
    const end = saved.end ??
      saved.start + (isSession(spec) ? spec.gapMs : isGlobal(spec) ? 0 : spec.sizeMs);
    this.#put(open, idOf(key, saved.start), { key, start: saved.start, end, value: saved.value });
  }

  /** Holds `w` under `id`, open or fired. */
  #put(open: boolean, id: string, w: Held<A>): void {
    if (open) {
      this.#windows.set(id, w);
      if (w.end < this.#openEndsFrom) this.#openEndsFrom = w.end;
    } else {
      this.#fired.set(id, w);
      if (w.end < this.#firedEndsFrom) this.#firedEndsFrom = w.end;
    }
    if (!isSession(this.#spec)) return;
    let ids = this.#idsByKey.get(w.key);
    if (ids === undefined) this.#idsByKey.set(w.key, ids = new Set());
    ids.add(id);
  }

  /** Lets go of the window held under `id`, open or fired. */
  #drop(id: string): void {
    const w = this.#windows.get(id) ?? this.#fired.get(id);
    if (w === undefined) return;
    this.#windows.delete(id);
    this.#fired.delete(id);
    const ids = this.#idsByKey.get(w.key);
    if (ids === undefined) return;
    ids.delete(id);
    if (ids.size === 0) this.#idsByKey.delete(w.key);
  }

  /** Highest offset included, -1 before the first. */
  get offset(): number {
    return this.#offset;
  }

  /** Current watermark, `null` before the first record. */
  get watermark(): number | null {
    return this.#watermark;
  }

  /** Processing time of the last record added (or of the restore). */
  get lastEventAt(): number {
    return this.#lastEventAt;
  }

  /** What the windows dropped so far add up to (see `Aggregation.retire`). */
  get retired(): Json | undefined {
    return this.#retired;
  }

  /** Running values of the open windows, oldest first. */
  open(): WindowResult<A>[] {
    return [...this.#windows.values()].sort(byTime).map((w) => this.#result(w, false));
  }

  /** Final values of the fired windows still within their allowed lateness, oldest first. */
  fired(): WindowResult<A>[] {
    return [...this.#fired.values()].sort(byTime).map((w) => this.#result(w, true));
  }

  /**
   * Consumes an offset that carries no event (a record that failed
   * validation); false when the checkpoint already includes it.
   */
  pass(offset: number, now: number): boolean {
    if (offset <= this.#offset) return false;
    this.#offset = offset;
    this.#lastEventAt = now;
    return true;
  }

  /**
   * Adds the record at `offset` with event time `ts` (records arrive in
   * offset order). Atomic: when the aggregation throws, the partition is as
   * it was and the offset is not consumed.
   *
   * @throws {RangeError} when `ts` is not a finite number (a stream's `eventTime` is wrong)
   */
  add({ offset, ts, value, now }: WindowInput<V>): AddOutcome<A> {
    if (offset <= this.#offset) return { kind: "included" };
    if (!Number.isFinite(ts)) {
      throw new RangeError(`an event time must be a finite number of ms, got ${ts}`);
    }
    const limit = now + this.#spec.maxFutureMs;
    if (ts > limit) {
      this.pass(offset, now);
      return { kind: "future", limit };
    }
    // Every new accumulator before any is stored, so a throwing aggregation changes nothing.
    const spec = this.#spec;
    const updates = isGlobal(spec)
      ? []
      : isSession(spec)
      ? this.#sessionUpdates(spec, ts, value)
      : this.#slidingUpdates(spec, ts, value);
    if (updates.length === 0 && !isGlobal(spec)) {
      this.pass(offset, now);
      return { kind: "late", watermark: this.#watermark! };
    }
    this.pass(offset, now);
    const running: WindowResult<A>[] = [];
    const refired: WindowResult<A>[] = [];
    for (const { id, window, open, replaces } of updates) {
      for (const replaced of replaces) this.#drop(replaced);
      this.#put(open, id, window);
      (open ? running : refired).push(this.#result(window, !open));
    }
    if (this.#maxEventTime === null || ts > this.#maxEventTime) this.#maxEventTime = ts;
    const closed = this.advanceTo(this.#maxEventTime - this.#spec.outOfOrdernessMs);
    return { kind: "added", running, closed: [...refired, ...closed] };
  }

  /** The tumbling or hopping windows `ts` falls in that still take records. */
  #slidingUpdates(spec: SlidingSpec, ts: number, value: V): Update<A>[] {
    return windowStartsOf(ts, spec)
      .filter((start) => !isExpired(start + spec.sizeMs, spec, this.#watermark))
      .map((start) => {
        const id = this.#slidingId(spec, start);
        const end = start + spec.sizeMs;
        // A window a checkpoint of an earlier version left open stays open until the next advance.
        const open = this.#windows.has(id) || !hasFired(end, this.#watermark);
        const held = (open ? this.#windows : this.#fired).get(id);
        const acc = this.#aggregation.add(held?.value ?? this.#aggregation.empty(), value);
        return { id, window: { key: "", start, end, value: acc }, open, replaces: [] };
      });
  }

  /**
   * The id of the tumbling or hopping window starting at `start`, the same
   * string each time while the window is recent: a record's windows are found
   * without building their ids again.
   */
  #slidingId(spec: SlidingSpec, start: number): string {
    let id = this.#slidingIds.get(start);
    if (id === undefined) {
      // Twice the windows a record falls in, so a record's own ids are never cleared meanwhile.
      const kept = Math.max(SLIDING_IDS_KEPT, 2 * Math.ceil(spec.sizeMs / spec.slideMs));
      if (this.#slidingIds.size >= kept) this.#slidingIds.clear();
      id = idOf("", start);
      this.#slidingIds.set(start, id);
    }
    return id;
  }

  /**
   * The session `ts` opens, merged with every session of its key it overlaps
   * or touches (Flink's `TimeWindow.intersects`): none when the result is
   * past its cleanup time. Held sessions of one key never overlap, so one
   * pass finds every session the record bridges.
   */
  #sessionUpdates(spec: SessionSpec, ts: number, value: V): Update<A>[] {
    const aggregation = this.#aggregation;
    const key = aggregation.key?.(value) ?? "";
    let start = ts;
    let end = ts + spec.gapMs;
    const joined: Held<A>[] = [];
    for (const id of this.#idsByKey.get(key) ?? []) {
      const w = this.#windows.get(id) ?? this.#fired.get(id)!;
      if (w.start <= ts + spec.gapMs && ts <= w.end) joined.push(w);
    }
    joined.sort(byTime);
    for (const w of joined) {
      start = Math.min(start, w.start);
      end = Math.max(end, w.end);
    }
    if (isExpired(end, spec, this.#watermark)) return [];
    const merged = joined.length === 0
      ? aggregation.empty()
      : joined.slice(1).reduce((acc, w) => aggregation.merge!(acc, w.value), joined[0].value);
    return [{
      id: idOf(key, start),
      window: { key, start, end, value: aggregation.add(merged, value) },
      open: !hasFired(end, this.#watermark),
      replaces: joined.map((w) => idOf(w.key, w.start)),
    }];
  }

  /**
   * Moves the watermark forward to `watermark` (never back); returns the
   * windows that fired, and drops fired windows past their cleanup time
   * (folding them into `retired` when the aggregation retires windows).
   */
  advanceTo(watermark: number): WindowResult<A>[] {
    if (this.#watermark !== null && watermark <= this.#watermark) return [];
    this.#watermark = watermark;
    const closed: WindowResult<A>[] = [];
    // Windows are looked at only when one may fire or be dropped: not on every record.
    if (hasFired(this.#openEndsFrom, watermark)) {
      const due = [...this.#windows.entries()].filter(([, w]) => hasFired(w.end, watermark));
      for (const [id, w] of due.sort(([, a], [, b]) => a.end - b.end || byTime(a, b))) {
        closed.push(this.#result(w, true));
        this.#windows.delete(id);
        this.#put(false, id, w);
      }
      this.#openEndsFrom = earliestEnd(this.#windows);
    }
    if (isExpired(this.#firedEndsFrom, this.#spec, watermark)) {
      const expired = [...this.#fired.entries()]
        .filter(([, w]) => isExpired(w.end, this.#spec, watermark));
      const retire = this.#aggregation.retire;
      for (const [id, w] of expired.sort(([, a], [, b]) => byTime(a, b))) {
        this.#drop(id);
        if (retire) this.#retired = retire(this.#retired, this.#result(w, true));
      }
      this.#firedEndsFrom = earliestEnd(this.#fired);
    }
    return closed;
  }

  /** The state to save, with the offset it includes. */
  checkpoint(): PartitionCheckpoint<A> {
    return {
      offset: this.#offset,
      maxEventTime: this.#maxEventTime,
      watermark: this.#watermark,
      windows: this.#entries(this.#windows),
      fired: this.#entries(this.#fired),
      ...(this.#retired === undefined ? {} : { retired: this.#retired }),
    };
  }

  #entries(state: Map<string, Held<A>>): CheckpointWindow<A>[] {
    const session = isSession(this.#spec);
    return [...state.values()].sort(byTime).map(({ key, start, end, value }) =>
      session ? { key, start, end, value } : { start, value }
    );
  }

  #result(w: Held<A>, final: boolean): WindowResult<A> {
    const { key, start, end, value } = w;
    return isSession(this.#spec) ? { key, start, end, value, final } : { start, end, value, final };
  }
}

/** Windows that fired in one partition. */
export interface PartitionClose<A> {
  partition: number;
  closed: WindowResult<A>[];
}

/** The windows of every partition one processor instance holds. */
export class WindowEngine<V, A> {
  readonly spec: WindowSpec;
  readonly #aggregation: Aggregation<V, A>;
  readonly #partitions = new Map<number, PartitionWindows<V, A>>();

  constructor(spec: WindowSpec, aggregation: Aggregation<V, A>) {
    this.spec = spec;
    this.#aggregation = aggregation;
  }

  /** The partition's windows, if held. */
  partition(partition: number): PartitionWindows<V, A> | undefined {
    return this.#partitions.get(partition);
  }

  /**
   * Takes over a partition from its checkpoint (or from nothing); returns what
   * was healed when the checkpoint was beyond the clock (see `PartitionWindows`).
   */
  restore(partition: number, now: number, checkpoint?: PartitionCheckpoint<A>): Healed | undefined {
    const windows = new PartitionWindows({
      spec: this.spec,
      aggregation: this.#aggregation,
      now,
      checkpoint,
    });
    this.#partitions.set(partition, windows);
    return windows.healed;
  }

  /** The partitions held. */
  held(): number[] {
    return [...this.#partitions.keys()];
  }

  /** Lets go of a partition (its state is to be restored again). */
  forget(partition: number): void {
    this.#partitions.delete(partition);
  }

  /**
   * Consumes an offset of `partition` that carries no event; false when already included.
   * @throws {RangeError} when the partition was not restored first
   */
  pass(partition: number, offset: number, now: number): boolean {
    return this.#held(partition).pass(offset, now);
  }

  /**
   * Adds a record of `partition` (atomic, see `PartitionWindows.add`).
   * @throws {RangeError} when the partition was not restored first or `ts` is not finite
   */
  add(input: PartitionInput<V>): AddOutcome<A> {
    return this.#held(input.partition).add(input);
  }

  #held(partition: number): PartitionWindows<V, A> {
    const windows = this.#partitions.get(partition);
    if (!windows) throw new RangeError(`partition ${partition} is not held; restore it first`);
    return windows;
  }

  /**
   * Lets idle partitions (nothing for `idleTimeoutMs`) follow the most
   * advanced partition's watermark; returns the windows that fired.
   */
  tick(now: number): PartitionClose<A>[] {
    const idle: Array<[number, PartitionWindows<V, A>]> = [];
    let lead: number | null = null;
    for (const [partition, windows] of this.#partitions) {
      if (now - windows.lastEventAt >= this.spec.idleTimeoutMs) idle.push([partition, windows]);
      if (windows.watermark !== null && (lead === null || windows.watermark > lead)) {
        lead = windows.watermark;
      }
    }
    if (lead === null) return [];
    const closes: PartitionClose<A>[] = [];
    for (const [partition, windows] of idle) {
      const closed = windows.advanceTo(lead);
      if (closed.length > 0) closes.push({ partition, closed });
    }
    return closes;
  }
}
