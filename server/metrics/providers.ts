/**
 * The sources of `/metrics` besides the processors' reports: what the stores,
 * the broker, the live hubs and the process itself say at scrape time. Each
 * is a `MetricsProvider`; the composition root lists them.
 */

import type { AggregateStore, RawStore } from "../../pipeline/ports.ts";
import { REJECTED_DIMENSION } from "../../pipeline/dead_letter.ts";
import { countOf } from "../../pipeline/aggregate_sums.ts";
import { readModels } from "../../pipeline/read_models.ts";
import type { MetricsProvider } from "./metrics_port.ts";
import type { PageHubs } from "../live_feed.ts";
import type { Sample } from "./exposition.ts";

/**
 * Records dead-lettered by stream and reason, from the all-time rejection
 * counts the processors keep in the aggregate store (exact, and kept across
 * restarts).
 */
export function deadLetteredProvider(
  aggregates: AggregateStore,
  streams: readonly string[],
): MetricsProvider {
  return {
    name: "aggregate store",
    collect: async () => {
      const samples: Sample[] = [];
      for (const stream of streams) {
        const rows = await aggregates.totals(stream, REJECTED_DIMENSION);
        for (const row of rows.sort((a, b) => a.key.localeCompare(b.key))) {
          samples.push({ labels: { stream, reason: row.key }, value: countOf(row.value) });
        }
      }
      return [{
        name: "streamboard_records_dead_lettered_total",
        help: "Records sent to a stream's dead-letter topic, by stream and reason (all time).",
        type: "counter",
        samples,
      }];
    },
  };
}

/**
 * Watermark lag and open windows per windowed stream and partition, from the
 * read models the processors save beside each partition's checkpoint before
 * each commit (never the checkpoints themselves: those are the processor's own).
 */
export function windowsProvider(
  raw: RawStore,
  streams: readonly string[],
  now: () => number,
): MetricsProvider {
  return {
    name: "raw store",
    collect: async () => {
      const lag: Sample[] = [];
      const open: Sample[] = [];
      for (const [stream, models] of await readModels(raw, streams)) {
        for (const { partition, engine } of models) {
          if (!engine) continue;
          const labels = { stream, partition: String(partition) };
          if (engine.watermark !== null) {
            lag.push({ labels, value: Math.max(0, now() - engine.watermark) / 1000 });
          }
          open.push({ labels, value: engine.openWindows });
        }
      }
      const order = (a: Sample, b: Sample) =>
        a.labels.stream.localeCompare(b.labels.stream) ||
        Number(a.labels.partition) - Number(b.labels.partition);
      return [
        {
          name: "streamboard_watermark_lag_seconds",
          help:
            "How far a windowed partition's event-time watermark trails the clock, as of its last stored batch.",
          type: "gauge",
          samples: lag.sort(order),
        },
        {
          name: "streamboard_open_windows",
          help: "Windows a partition holds open (not fired yet), as of its last stored batch.",
          type: "gauge",
          samples: open.sort(order),
        },
      ];
    },
  };
}

/** SSE viewers connected now, by page. */
export function viewersProvider(hubs: PageHubs): MetricsProvider {
  return {
    name: "live hubs",
    collect: () => [{
      name: "streamboard_sse_viewers",
      help: "Browsers following a page's live stream now, by page.",
      type: "gauge",
      samples: [...hubs].map(([page, hub]) => ({ labels: { page }, value: hub.clients })),
    }, {
      name: "streamboard_sse_chunks_encoded_total",
      help:
        "Live chunks (updates, snapshots) encoded, by page; once per chunk, whatever the viewers.",
      type: "counter",
      samples: [...hubs].map(([page, hub]) => ({ labels: { page }, value: hub.encodings })),
    }],
  };
}

/** How the process reads its own memory and CPU time (`Deno.memoryUsage`, `process.cpuUsage`). */
export interface ProcessGauges {
  memory(): { rss: number; heapUsed: number };
  /** CPU time used since the process started, microseconds. */
  cpu(): { user: number; system: number };
}

/** Memory and CPU of the whole process (its workers included). */
export function processProvider(gauges: ProcessGauges): MetricsProvider {
  return {
    name: "process",
    collect: () => {
      const { rss, heapUsed } = gauges.memory();
      const { user, system } = gauges.cpu();
      return [
        {
          name: "streamboard_process_resident_memory_bytes",
          help: "Resident memory of the process.",
          type: "gauge",
          samples: [{ labels: {}, value: rss }],
        },
        {
          name: "streamboard_process_heap_used_bytes",
          help: "JavaScript heap in use on the main thread.",
          type: "gauge",
          samples: [{ labels: {}, value: heapUsed }],
        },
        {
          name: "streamboard_process_cpu_seconds_total",
          help: "CPU time (user and system) the process used since it started.",
          type: "counter",
          samples: [{ labels: {}, value: (user + system) / 1e6 }],
        },
      ];
    },
  };
}

/** A partition's offsets as the `Broker` port's admin reads describe them. */
export interface TopicOffsets {
  name: string;
  partitions: ReadonlyArray<{ partition: number; low: number; high: number }>;
}

/**
 * Records written to each topic since it was created: the sum of its
 * partitions' high offsets (`describeTopics` of the `Broker` port).
 */
export function recordsInProvider(
  describeTopics: () => Promise<readonly TopicOffsets[]>,
): MetricsProvider {
  return {
    name: "broker",
    collect: async () => [{
      name: "streamboard_records_in_total",
      help: "Records written to a topic since it was created (sum of its high offsets), by topic.",
      type: "counter",
      samples: [...await describeTopics()].sort((a, b) => a.name.localeCompare(b.name)).map((
        topic,
      ) => ({
        labels: { topic: topic.name },
        value: topic.partitions.reduce((sum, p) => sum + p.high, 0),
      })),
    }],
  };
}

/** A consumer group's lag on one topic, as the groups view (`lagView()`) reports it. */
export interface ConsumerLag {
  group: string;
  /** `null` for a group that committed nothing yet (it shows no series). */
  topic: string | null;
  partitions: ReadonlyArray<{ partition: number; lag: number; lagSeconds: number | null }>;
}

/**
 * Consumer lag per group, topic and partition, in records and in seconds
 * (the seconds once two samples tell), from the groups view's last sample.
 */
export function consumerLagProvider(lagView: () => readonly ConsumerLag[]): MetricsProvider {
  return {
    name: "consumer groups",
    collect: () => {
      const records: Sample[] = [];
      const seconds: Sample[] = [];
      for (const { group, topic, partitions } of lagView()) {
        if (topic === null) continue;
        for (const p of partitions) {
          const labels = { group, topic, partition: String(p.partition) };
          records.push({ labels, value: p.lag });
          if (p.lagSeconds !== null) seconds.push({ labels, value: p.lagSeconds });
        }
      }
      return [
        {
          name: "streamboard_consumer_lag_records",
          help: "Records a consumer group's committed offset trails a partition's end.",
          type: "gauge",
          samples: records,
        },
        {
          name: "streamboard_consumer_lag_seconds",
          help:
            "How long ago the record at a group's committed offset was written (kafka-lag-exporter's estimate).",
          type: "gauge",
          samples: seconds,
        },
      ];
    },
  };
}
