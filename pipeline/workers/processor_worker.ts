/**
 * Deno worker running the stream processor of one stream until stopped,
 * with the stream's output beside the stores (a clickstream topic's Parquet
 * archive), closed after the processor stopped so it takes the last batch.
 */

import { type ProcessorJob, serveWorker } from "./protocol.ts";
import { openPipeline } from "../wiring.ts";
import { StreamProcessor } from "../processor.ts";
import { loadRegistry } from "../stream_registry.ts";
import { openStream } from "../stream_module.ts";
import { consoleLogger } from "../logger.ts";

serveWorker<ProcessorJob>(
  async ({ config, registry: ref, stream }, signal, { errorEvent, batchMetrics }) => {
    const registry = await loadRegistry(ref);
    const module = registry.get(stream);
    const log = consoleLogger(`processor:${stream}`);
    const pipeline = await openPipeline({ config, registry, log, signal });
    try {
      const opened = openStream(module, { config, ...pipeline, log });
      try {
        const { topic, group } = module.topics;
        const processor = new StreamProcessor(
          opened.definition,
          {
            ...pipeline,
            log,
            maxRecordBytes: config.processor.maxRecordBytes,
            processingErrors: {
              share: config.processor.processingErrorShare,
              windowMs: config.processor.processingErrorWindowMs,
            },
            report: errorEvent,
            observe: batchMetrics,
          },
        );
        log.info(`consuming "${topic}" as group "${group}"`);
        await processor.run(group, signal, config.processor.batchSize);
      } finally {
        await opened.close();
      }
    } finally {
      await pipeline.close();
    }
  },
);
