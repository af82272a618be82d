/**
 * Deno worker running the stream processor of one stream until stopped; for
 * a clickstream topic also its Parquet archive (its own consumer group).
 */

import { type ProcessorJob, serveWorker } from "./protocol.ts";
import { openPipeline } from "../wiring.ts";
import { StreamProcessor } from "../processor.ts";
import { STREAM_TOPICS, streamDefinition } from "../streams.ts";
import { consoleLogger } from "../logger.ts";
import { runArchiver } from "../clickstream/archiver.ts";
import { CLICKSTREAM_TOPICS, type ClickstreamTopic } from "../clickstream/events.ts";

serveWorker<ProcessorJob>(async ({ config, stream }, signal) => {
  const log = consoleLogger(`processor:${stream}`);
  const pipeline = await openPipeline(config, log, signal);
  try {
    const { topic, group } = STREAM_TOPICS[stream];
    const processor = new StreamProcessor(streamDefinition(stream, config, pipeline), {
      ...pipeline,
      log,
    });
    log.info(`consuming "${topic}" as group "${group}"`);
    const archive = (CLICKSTREAM_TOPICS as readonly string[]).includes(stream)
      ? runArchiver({
        broker: pipeline.broker,
        topic: stream as ClickstreamTopic,
        dataDir: config.dataDir,
        signal,
        intervalMs: config.archiveIntervalMs,
        maxBatch: config.batchSize,
        log: consoleLogger(`archive:${stream}`),
      })
      : undefined;
    await Promise.all([processor.run(group, signal, config.batchSize), archive]);
  } finally {
    await pipeline.close();
  }
});
