/**
 * Builds the adapters a configuration asks for. The only module that knows
 * which adapter stands behind each port; everything else takes the ports.
 */

import type { Config } from "../config.ts";
import type { AggregateStore, Broker, RawStore, TopicSpec } from "./ports.ts";
import type { Logger } from "./logger.ts";
import { EmbeddedLog } from "./embedded/log_broker.ts";
import { SqliteRawStore } from "./embedded/raw_store.ts";
import { SqliteAggregateStore } from "./embedded/aggregate_store.ts";
import { USERS } from "./users/users_stream.ts";

/** The broker and stores of one process (or worker). */
export interface Pipeline {
  broker: Broker;
  raw: RawStore;
  aggregates: AggregateStore;
  close(): Promise<void>;
}

/** Every topic StreamBoard uses, with its partitions. */
export function topicSpecs(config: Config): TopicSpec[] {
  return [
    { name: USERS.topic, partitions: config.partitions },
    { name: USERS.dlqTopic, partitions: 1 },
    { name: USERS.liveTopic, partitions: 1 },
  ];
}

/** Opens the broker of the configured mode. */
export function openBroker(config: Config, log: Logger): Broker {
  if (config.mode !== "embedded") {
    throw new RangeError(`STREAMBOARD_MODE=${config.mode} is not available in this build`);
  }
  return new EmbeddedLog({
    path: `${config.dataDir}/log.db`,
    pollMs: config.pollMs,
    retentionMs: config.retentionHours * 3_600_000,
    log: (message) => log.info(message),
  });
}

/** Opens the broker and both stores of the configured mode, creating topics as needed. */
export async function openPipeline(config: Config, log: Logger): Promise<Pipeline> {
  const broker = openBroker(config, log);
  await broker.createTopics(topicSpecs(config));
  const raw = new SqliteRawStore(`${config.dataDir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${config.dataDir}/store.db`);
  return {
    broker,
    raw,
    aggregates,
    close: async () => {
      await Promise.all([broker.close(), raw.close(), aggregates.close()]);
    },
  };
}
