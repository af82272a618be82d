/**
 * Deno worker running the stream processor of one stream until stopped; for
 * a clickstream topic also its Parquet archive, which the processor feeds
 * with the records it accepts and a timer flushes to files.
 */

import { type ProcessorJob, serveWorker } from "./protocol.ts";
import { openPipeline } from "../wiring.ts";
import { StreamProcessor } from "../processor.ts";
import { STREAM_TOPICS, streamDefinition } from "../streams.ts";
import { consoleLogger } from "../logger.ts";
import { runArchiveFlusher } from "../clickstream/archiver.ts";
import { CLICKSTREAM_TOPICS, type ClickstreamTopic } from "../clickstream/events.ts";
import { ParquetArchive } from "../clickstream/parquet_archive.ts";

serveWorker<ProcessorJob>(async ({ config, stream }, signal, { errorEvent }) => {
  const log = consoleLogger(`processor:${stream}`);
  const pipeline = await openPipeline(config, log, signal);
  let archive: ParquetArchive | undefined;
  let flushing: Promise<unknown> | undefined;
  // The last flush waits for the processor to stop, so it writes the last batch staged.
  const processorStopped = new AbortController();
  try {
    if ((CLICKSTREAM_TOPICS as readonly string[]).includes(stream)) {
      archive = new ParquetArchive({ dataDir: config.dataDir, topic: stream as ClickstreamTopic });
      flushing = runArchiveFlusher({
        archive,
        signal: processorStopped.signal,
        intervalMs: config.archiveIntervalMs,
        log: consoleLogger(`archive:${stream}`),
      });
    }
    const { topic, group } = STREAM_TOPICS[stream];
    const processor = new StreamProcessor(
      streamDefinition(stream, config, { ...pipeline, archive }),
      {
        ...pipeline,
        log,
        maxRecordBytes: config.maxRecordBytes,
        processingErrors: {
          share: config.processingErrorShare,
          windowMs: config.processingErrorWindowMs,
        },
        report: errorEvent,
      },
    );
    log.info(`consuming "${topic}" as group "${group}"`);
    await processor.run(group, signal, config.batchSize);
  } finally {
    processorStopped.abort();
    await flushing;
    archive?.close();
    await pipeline.close();
  }
});
