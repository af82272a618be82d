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
    partitions: (config) => config.partitions,
    defaults: shippedDefaults(topic),
    source: { generator: () => GENERATE[topic], key: clickstreamKey },
    definition: ({ config, aggregates }) =>
      clickstreamStream(topic, withStreamSettings(module, config), aggregates),
    // The archive receives the records the processor accepts (and only
    // those); a timer of its own writes them to Parquet files. Its last flush
    // runs at close, after the processor stopped, so it writes the last batch staged.
    output: ({ config, log }) => {
      const archive = new ParquetArchive({ dataDir: config.dataDir, topic });
      const stop = new AbortController();
      const flushing = runArchiveFlusher({
        archive,
        signal: stop.signal,
        intervalMs: config.archiveIntervalMs,
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
