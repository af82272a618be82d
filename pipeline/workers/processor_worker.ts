/** Deno worker running the stream processor of one stream until stopped. */

import { type ProcessorJob, serveWorker } from "./protocol.ts";
import { openPipeline } from "../wiring.ts";
import { StreamProcessor } from "../processor.ts";
import { USERS, usersStream } from "../users/users_stream.ts";
import { consoleLogger } from "../logger.ts";

serveWorker<ProcessorJob>(async ({ config }, signal) => {
  const log = consoleLogger("processor");
  const pipeline = await openPipeline(config, log, signal);
  try {
    const processor = new StreamProcessor(usersStream, { ...pipeline, log });
    log.info(`consuming "${USERS.topic}" as group "${USERS.group}"`);
    await processor.run(USERS.group, signal, config.batchSize);
  } finally {
    await pipeline.close();
  }
});
