/**
 * The clickstream's three streams as modules (`clicks`, `views`, `ratings`),
 * each with its Parquet archive as an output beside the stores.
 */

import {
  defineStream,
  shippedDefaults,
  type StreamModule,
  withStreamSettings,
} from "../stream_module.ts";
import { clickstreamNames, clickstreamStream } from "./clickstream_stream.ts";
import { clickstreamKey, GENERATE } from "./generator.ts";
import type { ClickstreamTopic } from "./events.ts";
import { ParquetArchive } from "./parquet_archive.ts";
import { archiveSink, runArchiveFlusher } from "./archiver.ts";
import { SESSIONS_STREAM, sessionsStream } from "./sessions_stream.ts";
import { generateActivity } from "./activity.ts";

const TITLES: Record<ClickstreamTopic, string> = {
  clicks: "Clicks",
  views: "Views",
  ratings: "Ratings",
};

/** The module of one clickstream topic. */
export function clickstreamModule(topic: ClickstreamTopic): StreamModule {
  const module: StreamModule = defineStream({
    name: topic,
    topics: clickstreamNames(topic),
    partitions: (config) => config.broker.partitions,
    defaults: shippedDefaults(topic),
    source: { generator: () => GENERATE[topic], key: clickstreamKey },
    definition: ({ config, aggregates, broker }) =>
      clickstreamStream(topic, withStreamSettings(module, config), {
        aggregates,
        activity: broker,
      }),
    // The archive receives the records the processor accepts (and only
    // those); a timer of its own writes them to Parquet files. Its last flush
    // runs at close, after the processor stopped, so it writes the last batch staged.
    output: ({ config, log }) => {
      const archive = new ParquetArchive({ dataDir: config.stores.dataDir, topic });
      const stop = new AbortController();
      const flushing = runArchiveFlusher({
        archive,
        signal: stop.signal,
        intervalMs: config.streams.clickstream.archiveIntervalMs,
        log,
      });
      return {
        sink: archiveSink(archive),
        close: async () => {
          stop.abort();
          try {
            await flushing;
          } finally {
            archive.close();
          }
        },
      };
    },
    page: { page: "clicks", title: TITLES[topic] },
  });
  return module;
}

/** The clicks stream. */
export const clicksModule = clickstreamModule("clicks");
/** The views stream. */
export const viewsModule = clickstreamModule("views");
/** The ratings stream. */
export const ratingsModule = clickstreamModule("ratings");

/**
 * The sessions stream: fed by the clicks and views processors (through the
 * activity topic, keyed by user), never by the producer.
 */
export const sessionsModule: StreamModule = defineStream({
  name: SESSIONS_STREAM.name,
  topics: SESSIONS_STREAM,
  // As many partitions as the clickstream topics feeding it.
  partitions: (config) => config.broker.partitions,
  defaults: shippedDefaults(SESSIONS_STREAM.name),
  source: { generator: () => generateActivity, key: clickstreamKey, fedBy: ["clicks", "views"] },
  definition: ({ config }) => sessionsStream(withStreamSettings(sessionsModule, config)),
  page: { page: "clicks", title: "Sessions" },
});
