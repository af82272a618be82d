/** Deno worker running the stream processor of one stream until stopped (see `run_processor.ts`). */

import { type ProcessorJob, serveWorker } from "./protocol.ts";
import { runProcessor } from "./run_processor.ts";

serveWorker<ProcessorJob>((job, signal, { errorEvent, batchMetrics }) =>
  runProcessor(job, signal, { report: errorEvent, observe: batchMetrics })
);
