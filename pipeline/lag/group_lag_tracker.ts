/**
 * Consumer lag of every group, from periodic samples of the broker's end
 * offsets and the groups' committed offsets: lag in records, lag in seconds
 * (kafka-lag-exporter's interpolation, `offset_time_table.ts`), a status in
 * Burrow's terms (`burrow_status.ts`) and a history of the last hour. Pure:
 * the sampler (`server/lag_sampler.ts`) reads the broker and hands each
 * sample in with its time.
 *
 * Burrow judges a window of commits; a sample shows the committed offset but
 * not whether a commit came. A group with members is taken as committing (a
 * live consumer commits, or is stuck: that is a STALL); a group without
 * members adds a sample only when its offset moved, so its window ages and
 * Burrow's rule calls it STOP once it has been gone longer than the window
 * spans.
 */

import type { GroupDescription, TopicDescription } from "../ports.ts";
import { lagSeconds, OffsetTimeTable } from "./offset_time_table.ts";
import {
  type CommitSample,
  type PartitionStatus,
  partitionStatus,
  worstStatus,
} from "./burrow_status.ts";
import { LagHistory, type LagPoint } from "./lag_history.ts";

/** Lag of a group on one partition. */
export interface PartitionLag {
  partition: number;
  committed: number;
  /** End (high) offset of the partition. */
  end: number;
  /** Records behind. */
  lag: number;
  /** Seconds behind; `null` until two samples tell. */
  lagSeconds: number | null;
  status: PartitionStatus;
}

/** Lag of a group on one topic it reads. */
export interface GroupLag {
  group: string;
  /** The topic; `null` for a group that committed nothing yet. */
  topic: string | null;
  state: GroupDescription["state"];
  members: GroupDescription["members"];
  /** Records behind, summed over partitions. */
  lag: number;
  /** Seconds behind, the worst partition's; `null` until two samples tell. */
  lagSeconds: number | null;
  /** The worst partition's status. */
  status: PartitionStatus;
  partitions: PartitionLag[];
}

/** How a `GroupLagTracker` samples and judges. */
export interface GroupLagTrackerOptions {
  /** How often samples come, ms (sizes the tables). */
  sampleMs: number;
  /** How far back the history and the offset tables reach, ms. */
  historyMs: number;
  /** Commit samples per partition Burrow's rules judge (its `intervals`). */
  windowSamples: number;
  /** Records behind that still count as caught up (Burrow's `allowed-lag`). */
  allowedLag: number;
}

/** One hour, the span of the lag history. */
export const HOUR_MS = 3_600_000;

/** Burrow's default number of commits a partition is judged on. */
export const BURROW_INTERVALS = 10;

/** The lag of every group, as of the last sample. */
export class GroupLagTracker {
  readonly #options: GroupLagTrackerOptions;
  readonly #tables = new Map<string, OffsetTimeTable>();
  readonly #ends = new Map<string, number[]>();
  readonly #windows = new Map<string, CommitSample[]>();
  readonly #histories = new Map<string, LagHistory>();
  #view: GroupLag[] = [];
  #sampledAt: number | undefined;

  constructor(options: Partial<GroupLagTrackerOptions> & { sampleMs: number }) {
    this.#options = {
      historyMs: HOUR_MS,
      windowSamples: BURROW_INTERVALS,
      allowedLag: 0,
      ...options,
    };
  }

  /** When the last sample was taken, ms since the epoch; `undefined` before the first. */
  get sampledAt(): number | undefined {
    return this.#sampledAt;
  }

  /** Takes the topics and groups the broker described at `at`. */
  observe(
    at: number,
    topics: ReadonlyArray<Pick<TopicDescription, "name" | "partitions">>,
    groups: readonly GroupDescription[],
  ): void {
    const ends = this.#observeEnds(at, topics);
    const seenWindows = new Set<string>();
    const seenHistories = new Set<string>();
    const view: GroupLag[] = [];
    for (const group of groups) {
      const byTopic = Map.groupBy(group.offsets.filter((o) => o.committed >= 0), (o) => o.topic);
      if (byTopic.size === 0) {
        view.push({
          group: group.group,
          topic: null,
          state: group.state,
          members: group.members,
          lag: 0,
          lagSeconds: 0,
          status: "OK",
          partitions: [],
        });
        continue;
      }
      for (const [topic, offsets] of byTopic) {
        const partitions = offsets
          .sort((a, b) => a.partition - b.partition)
          .map(({ partition, committed }) => {
            const key = `${group.group}\0${topic}\0${partition}`;
            seenWindows.add(key);
            return this.#partitionLag({
              at,
              key,
              committed,
              alive: group.members.length > 0,
              end: ends.get(`${topic}\0${partition}`),
              partition,
              table: this.#tables.get(`${topic}\0${partition}`),
              brokerOffsets: this.#ends.get(`${topic}\0${partition}`) ?? [],
            });
          });
        const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
        const known = partitions.map((p) => p.lagSeconds).filter((s) => s !== null);
        const seconds = known.length > 0 ? Math.max(...known) : lag === 0 ? 0 : null;
        const historyKey = `${group.group}\0${topic}`;
        seenHistories.add(historyKey);
        let history = this.#histories.get(historyKey);
        if (!history) {
          this.#histories.set(historyKey, history = new LagHistory(this.#options.historyMs));
        }
        history.add({ t: at, lag, lagSeconds: seconds });
        view.push({
          group: group.group,
          topic,
          state: group.state,
          members: group.members,
          lag,
          lagSeconds: seconds,
          status: worstStatus(partitions.map((p) => p.status)),
          partitions,
        });
      }
    }
    forgetAllBut(this.#windows, seenWindows);
    forgetAllBut(this.#histories, seenHistories);
    this.#view = view.sort((a, b) =>
      a.group.localeCompare(b.group) || (a.topic ?? "").localeCompare(b.topic ?? "")
    );
    this.#sampledAt = at;
  }

  /** Every group (one entry per topic it reads), by group and topic, as of the last sample (what `/metrics` exports too). */
  lagView(): GroupLag[] {
    return structuredClone(this.#view);
  }

  /** The lag of a group on a topic over the history span, oldest first. */
  history(group: string, topic: string | null): LagPoint[] {
    return this.#histories.get(`${group}\0${topic}`)?.points() ?? [];
  }

  #observeEnds(
    at: number,
    topics: ReadonlyArray<Pick<TopicDescription, "name" | "partitions">>,
  ): Map<string, number> {
    const { sampleMs, historyMs, windowSamples } = this.#options;
    const ends = new Map<string, number>();
    for (const topic of topics) {
      for (const { partition, high } of topic.partitions) {
        const key = `${topic.name}\0${partition}`;
        ends.set(key, high);
        let table = this.#tables.get(key);
        if (!table) {
          const maxPoints = Math.max(2, Math.ceil(historyMs / sampleMs) + 1);
          this.#tables.set(key, table = new OffsetTimeTable({ maxPoints, retentionMs: historyMs }));
        }
        table.add({ offset: high, time: at });
        const recent = this.#ends.get(key) ?? [];
        recent.push(high);
        this.#ends.set(key, recent.slice(-windowSamples));
      }
    }
    forgetAllBut(this.#tables, new Set(ends.keys()));
    forgetAllBut(this.#ends, new Set(ends.keys()));
    return ends;
  }

  #partitionLag(sample: {
    at: number;
    key: string;
    partition: number;
    committed: number;
    alive: boolean;
    end: number | undefined;
    table: OffsetTimeTable | undefined;
    brokerOffsets: number[];
  }): PartitionLag {
    const { at, key, partition, committed, alive, table, brokerOffsets } = sample;
    // A topic the broker no longer describes has no end to be behind; and as
    // end and committed offsets are read by two requests, a commit can land
    // between them: the log then ends at least where the group committed.
    const end = Math.max(sample.end ?? committed, committed);
    const lag = Math.max(0, end - committed);
    const window = this.#windows.get(key) ?? [];
    if (alive || window.at(-1)?.offset !== committed) {
      window.push({ offset: committed, at, lag });
      if (window.length > this.#options.windowSamples) window.shift();
    }
    this.#windows.set(key, window);
    return {
      partition,
      committed,
      end,
      lag,
      lagSeconds: lag === 0 ? 0 : table ? lagSeconds(table, committed, at) : null,
      status: partitionStatus({
        offsets: window,
        brokerOffsets,
        currentLag: lag,
        now: at,
        allowedLag: this.#options.allowedLag,
      }),
    };
  }
}

function forgetAllBut<V>(map: Map<string, V>, keep: ReadonlySet<string>): void {
  for (const key of map.keys()) if (!keep.has(key)) map.delete(key);
}
