/**
 * `deno task topics`: creates every topic of every registered stream with
 * its partitions (the reference systems' create-topics script), in Kafka in
 * services mode and in the embedded log otherwise. Existing topics are kept.
 */

import { type Config, loadConfig } from "../config.ts";
import { connectBroker } from "../pipeline/wiring.ts";
import { type StreamRegistry, STREAMS } from "../pipeline/stream_registry.ts";
import { consoleLogger, type Logger } from "../pipeline/logger.ts";

/** A topic the tool created or found, with the partitions it has and those it should have. */
export interface TopicReport {
  /** Topic name, with the configured namespace. */
  name: string;
  /** Partitions the broker reports; `undefined` when it does not know the topic. */
  partitions: number | undefined;
  wanted: number;
}

/** Creates the topics of every stream of `registry` and reports each. */
export async function createTopics(
  options: { config: Config; registry: StreamRegistry; log: Logger },
): Promise<TopicReport[]> {
  const { config, registry } = options;
  registry.check(config);
  const broker = await connectBroker(options);
  try {
    const reports: TopicReport[] = [];
    for (const { name, partitions } of registry.topicSpecs(config)) {
      reports.push({
        name: `${config.broker.namespace}${name}`,
        partitions: await broker.partitions(name),
        wanted: partitions,
      });
    }
    return reports;
  } finally {
    await broker.close();
  }
}

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig(Deno.env.toObject());
    STREAMS.check(config);
  } catch (error) {
    console.error(`topics: ${(error as Error).message}`);
    Deno.exit(2);
  }
  const reports = await createTopics({ config, registry: STREAMS, log: consoleLogger("topics") });
  for (const { name, partitions, wanted } of reports) {
    console.log(`${name}: ${partitions ?? "?"} partition(s) (wanted ${wanted})`);
  }
  Deno.exit(0);
}
