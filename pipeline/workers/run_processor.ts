/**
 * Runs the stream processor of one stream until its signal aborts, with the
 * stream's outputs beside the stores (a clickstream topic's Parquet archive),
 * closed after the processor stopped so they take the last batch. Shared by
 * the processor worker and the processor process the bench scales out with.
 */

import type { ProcessorJob } from "./protocol.ts";
import { openPipeline } from "../wiring.ts";
import { StreamProcessor } from "../processor.ts";
import { loadRegistry } from "../stream_registry.ts";
import { openStream } from "../stream_module.ts";
import { consoleLogger } from "../logger.ts";
import type { ProcessorErrorReporter } from "../processor_errors.ts";
import type { BatchMetricsReporter } from "../batch_metrics.ts";

/** Who hears of a running processor's errors and stored batches. */
export interface ProcessorListeners {
  report?: ProcessorErrorReporter;
  observe?: BatchMetricsReporter;
}

/** Consumes the job's stream as its group until `signal` aborts. */
export async function runProcessor(
  { config, registry: ref, stream, worker }: ProcessorJob,
  signal: AbortSignal,
  listeners: ProcessorListeners = {},
): Promise<void> {
  const registry = await loadRegistry(ref);
  const module = registry.get(stream);
  const log = consoleLogger(
    worker === undefined ? `processor:${stream}` : `processor:${stream}#${worker}`,
  );
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
          ...listeners,
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
}
