/**
 * Every stream StreamBoard runs, in one place: its topics, consumer group,
 * generator and partitioning key, and how its processor is built. Producers,
 * processors, `deno task topics` and the web side all read from here.
 */

import type { Config } from "../config.ts";
import type { AggregateStore, Broker, RawStore, TopicSpec } from "./ports.ts";
import type { StreamDefinition } from "./processor.ts";
import type { Random } from "./random.ts";
import type { StreamName } from "./stream_names.ts";
import { USERS, usersStream } from "./users/users_stream.ts";
import { generateUser } from "./users/generator.ts";
import { userKey } from "./users/user_key.ts";
import { SALES, salesStream } from "./sales/sales_stream.ts";
import { saleKey, salesGenerator } from "./sales/sales.ts";
import { clickstreamNames, clickstreamStream } from "./clickstream/clickstream_stream.ts";
import { clickstreamKey, GENERATE } from "./clickstream/generator.ts";
import type { ParquetArchive } from "./clickstream/parquet_archive.ts";
import { PRODUCTS, productsStream } from "./products/products_stream.ts";
import { generateProduct, productKey } from "./products/generator.ts";
import { SESSIONS_STREAM, sessionsStream } from "./clickstream/sessions_stream.ts";
import { generateActivity } from "./clickstream/activity.ts";

/** Names of a stream's topics and consumer group. */
export interface StreamTopics {
  topic: string;
  dlqTopic: string;
  liveTopic: string;
  collection: string;
  group: string;
}

/** The topics and group of each stream. */
export const STREAM_TOPICS: Record<StreamName, StreamTopics> = {
  users: USERS,
  sales: SALES,
  clicks: clickstreamNames("clicks"),
  views: clickstreamNames("views"),
  ratings: clickstreamNames("ratings"),
  products: PRODUCTS,
  sessions: SESSIONS_STREAM,
};

/**
 * Partitions of a stream's input topic: the configured number (the activity
 * topic as many as the clickstream topics feeding it), one for the windowed CSV job.
 */
export function streamPartitions(stream: StreamName, config: Config): number {
  return stream === "products" ? PRODUCTS.partitions : config.partitions;
}

/** Every topic of every stream with its partitions (the reference system's create-topics script). */
export function allTopicSpecs(config: Config): TopicSpec[] {
  return (Object.keys(STREAM_TOPICS) as StreamName[]).flatMap((stream) => {
    const t = STREAM_TOPICS[stream];
    return [
      { name: t.topic, partitions: streamPartitions(stream, config) },
      { name: t.dlqTopic, partitions: 1 },
      { name: t.liveTopic, partitions: 1 },
    ];
  });
}

/** How a stream's records are made up and keyed. */
export interface StreamSource {
  /** A fresh generator (some keep state between records, such as a simulated clock). */
  generator(options: { history: boolean }): (random: Random, now: number) => unknown;
  /** Partitioning key of a record (null when it has none). */
  key(value: unknown): string | null;
  /**
   * Set for a stream other streams' processors feed: the producer makes no
   * records for it (its generator is for `deno task produce` and fuzzing).
   */
  fedBy?: readonly StreamName[];
}

/** The generator and key of each stream. */
export const STREAM_SOURCES: Record<StreamName, StreamSource> = {
  users: { generator: () => generateUser, key: userKey },
  sales: { generator: ({ history }) => salesGenerator(history ? 365 : 0), key: saleKey },
  clicks: { generator: () => GENERATE.clicks, key: clickstreamKey },
  views: { generator: () => GENERATE.views, key: clickstreamKey },
  ratings: { generator: () => GENERATE.ratings, key: clickstreamKey },
  products: { generator: () => generateProduct, key: productKey },
  sessions: { generator: () => generateActivity, key: clickstreamKey, fedBy: ["clicks", "views"] },
};

/** The stores a stream's window sinks write to. */
export interface StreamStores {
  raw: RawStore;
  aggregates: AggregateStore;
  /** A clickstream stream's Parquet archive, which then receives the records it accepts. */
  archive?: ParquetArchive;
  /** The broker the clicks and views streams forward their records to the sessions stream on. */
  broker?: Broker;
}

/** The processor definition of a stream. */
export function streamDefinition(
  stream: StreamName,
  config: Config,
  stores: StreamStores,
): StreamDefinition<unknown> {
  switch (stream) {
    case "users":
      return usersStream(config) as StreamDefinition<unknown>;
    case "sales":
      return salesStream(config) as StreamDefinition<unknown>;
    case "clicks":
    case "views":
    case "ratings":
      return clickstreamStream(stream, config, stores.aggregates, {
        archive: stores.archive,
        activity: stores.broker,
      }) as StreamDefinition<unknown>;
    case "products":
      return productsStream(config, stores.raw) as StreamDefinition<unknown>;
    case "sessions":
      return sessionsStream(config) as StreamDefinition<unknown>;
  }
}
