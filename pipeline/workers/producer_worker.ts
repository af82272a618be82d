/** Deno worker running a producer: generated, RandomUser API or file records to a stream's topic. */

import { type ProducerJob, serveWorker } from "./protocol.ts";
import { connectBroker } from "../wiring.ts";
import { runProducer } from "../producer.ts";
import { USERS } from "../users/users_stream.ts";
import { generateUser } from "../users/generator.ts";
import { userKey } from "../users/user_key.ts";
import { generatedRecords } from "../sources/generator_source.ts";
import { RANDOMUSER_DEFAULTS, randomUserRecords } from "../sources/randomuser_source.ts";
import { fileRecords } from "../sources/file_source.ts";
import type { SourceRecord } from "../sources/source.ts";
import { consoleLogger, type Logger } from "../logger.ts";

function source(job: ProducerJob, signal: AbortSignal, log: Logger): AsyncIterable<SourceRecord> {
  const { source, count } = job;
  switch (source.kind) {
    case "generator":
      return generatedRecords(generateUser, userKey, { seed: source.seed, count });
    case "randomuser":
      return randomUserRecords(userKey, {
        ...RANDOMUSER_DEFAULTS,
        url: source.url,
        timeoutMs: source.timeoutMs,
        pageSize: source.pageSize,
        count,
        signal,
        log,
      });
    case "file":
      return fileRecords(source.path, userKey);
  }
}

serveWorker<ProducerJob>(async (job, signal, progress) => {
  const log = consoleLogger("producer");
  const broker = await connectBroker(job.config, log, signal);
  try {
    log.info(
      `producing ${
        job.count ?? "endless"
      } ${job.stream} from ${job.source.kind} to "${USERS.topic}"${
        job.rate > 0 ? ` at ${job.rate}/s` : " as fast as possible"
      }`,
    );
    let reported = 0;
    return await runProducer(broker, USERS.topic, source(job, signal, log), {
      rate: job.rate,
      batchSize: job.config.producerBatchSize,
      lingerMs: job.config.lingerMs,
      signal,
      onProgress: (sent) => {
        if (sent - reported >= 1000 || job.count === sent) {
          reported = sent;
          progress(sent);
        }
      },
    });
  } finally {
    await broker.close();
  }
});
