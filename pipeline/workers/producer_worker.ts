/** Deno worker running producers: generated, RandomUser API or file records to streams' topics. */

import { type ProducePlan, type ProducerJob, serveWorker } from "./protocol.ts";
import { connectBroker } from "../wiring.ts";
import { runProducer } from "../producer.ts";
import { loadRegistry, type StreamRegistry } from "../stream_registry.ts";
import { generatedRecords } from "../sources/generator_source.ts";
import { RANDOMUSER_DEFAULTS, randomUserRecords } from "../sources/randomuser_source.ts";
import { fileRecords } from "../sources/file_source.ts";
import type { SourceRecord } from "../sources/source.ts";
import { consoleLogger, type Logger } from "../logger.ts";

/** The records a plan produces, from its stream's source in `registry`. */
function source(
  registry: StreamRegistry,
  plan: ProducePlan,
  run: { signal: AbortSignal; log: Logger },
): AsyncIterable<SourceRecord> {
  const { source, count } = plan;
  const { signal, log } = run;
  const { generator, key } = registry.get(plan.stream).source;
  switch (source.kind) {
    case "generator":
      return generatedRecords(generator({ history: source.history ?? false }), key, {
        seed: source.seed,
        count,
      });
    case "randomuser":
      return randomUserRecords(key, {
        ...RANDOMUSER_DEFAULTS,
        url: source.url,
        timeoutMs: source.timeoutMs,
        pageSize: source.pageSize,
        count,
        signal,
        log,
      });
    case "file":
      return fileRecords(source.path, key);
  }
}

serveWorker<ProducerJob>(async ({ config, registry: ref, plans }, signal, channel) => {
  const { progress } = channel;
  const registry = await loadRegistry(ref);
  const log = consoleLogger("producer");
  const broker = await connectBroker({ config, registry, log, signal });
  // Connected: an outage the supervisor reported when a previous worker failed is over.
  channel.outage(undefined);
  try {
    const sent = plans.map(() => 0);
    let reported = 0;
    // One report per outage (its first failed send) and one when it ends, however many retries.
    let down = false;
    const total = plans.every((p) => p.count !== undefined)
      ? plans.reduce((sum, p) => sum + p.count!, 0)
      : undefined;
    const counts = await Promise.all(plans.map((plan, i) => {
      const topic = registry.get(plan.stream).topics.topic;
      log.info(
        `producing ${
          plan.count ?? (plan.source.kind === "file" ? "every" : "endless")
        } ${plan.stream} from ${plan.source.kind} to "${topic}"${
          plan.rate > 0 ? ` at ${plan.rate}/s` : " as fast as possible"
        }`,
      );
      return runProducer({
        broker,
        topic,
        source: source(registry, plan, { signal, log }),
        rate: plan.rate,
        batchSize: config.broker.producerBatchSize,
        lingerMs: config.broker.lingerMs,
        signal,
        onOutage: (outage) => {
          if (down) return;
          down = true;
          log.error(
            `${plan.stream}: ${outage.service} does not take records (${outage.error}); ` +
              "holding the batch and retrying",
          );
          channel.outage(outage);
        },
        onRecovered: (downMs) => {
          if (!down) return;
          down = false;
          log.info(`${plan.stream}: producing again after ${(downMs / 1000).toFixed(1)} s`);
          channel.outage(undefined);
        },
        onProgress: (n) => {
          sent[i] = n;
          const all = sent.reduce((a, b) => a + b, 0);
          if (all - reported >= 1000 || all === total) {
            reported = all;
            progress(all);
          }
        },
      });
    }));
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    await broker.close();
  }
});
