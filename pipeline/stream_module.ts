/**
 * What a stream is, declared once: its topics, partitions, record source,
 * processor definition, extra outputs and per-stream settings. Each stream
 * folder exports its module(s) from `module.ts`; `stream_registry.ts` lists
 * them, and every tool (processor, producer, topics, bench, web) reads the
 * streams from a registry.
 */

import { type Config, DEFAULTS } from "../config.ts";
import type { AggregateStore, Broker, RawStore } from "./ports.ts";
import type { AcceptedSink, StreamDefinition } from "./processor.ts";
import type { Random } from "./random.ts";
import type { Logger } from "./logger.ts";

/**
 * A stream's name: a string checked against a registry (`StreamRegistry.get`),
 * lower-case letters, digits and `_`, so it also names its environment
 * variables (`STREAMBOARD_<NAME>_LATENESS_MS`).
 */
export type StreamName = string;

/** Names of a stream's topics, raw collection and consumer group. */
export interface StreamTopics {
  /** Input topic. */
  topic: string;
  /** Dead-letter topic: refused records with their reason. */
  dlqTopic: string;
  /** Topic announcing processed events to dashboards. */
  liveTopic: string;
  /** Raw document collection. */
  collection: string;
  /** Consumer group of the stream's processors. */
  group: string;
}

/** The usual topic names of a stream: `<name>`, `<name>.dlq`, `<name>.live`, group `streamboard-<name>`. */
export function topicsNamed(name: StreamName): StreamTopics {
  return {
    topic: name,
    dlqTopic: `${name}.dlq`,
    liveTopic: `${name}.live`,
    collection: name,
    group: `streamboard-${name}`,
  };
}

/** Event-time settings of one stream. */
export interface StreamSettings {
  /** The watermark trails the highest event time seen by this much, ms. */
  outOfOrdernessMs: number;
  /** How long after firing a window still takes records and fires again, ms. */
  allowedLatenessMs: number;
  /** How far ahead of the processing clock an event time may be, ms. */
  maxFutureMs: number;
}

/** How a stream's records are made up and keyed. */
export interface StreamSource {
  /**
   * A fresh generator (some keep state between records, such as a simulated
   * clock); `history` asks a `backfill` source to start in the past.
   */
  generator(options: { history: boolean }): (random: Random, now: number) => unknown;
  /** Partitioning key of a record (null when it has none). */
  key(value: unknown): string | null;
  /** Whether an empty stream starts generating in the past, so its long charts fill at once. */
  backfill?: boolean;
  /**
   * Set for a stream other streams' processors feed (sessions, fed by clicks
   * and views): the producer makes no records for it; its generator serves
   * `deno task produce` and the fuzzer.
   */
  fedBy?: readonly StreamName[];
}

/** What a stream's processor is built from in one process. */
export interface StreamContext {
  config: Config;
  raw: RawStore;
  aggregates: AggregateStore;
  /**
   * Where a stream forwards records to the streams it feeds (clicks and views
   * feed sessions); without one it feeds none, as when only its records'
   * validation and windows are run (the fuzzer, cost measurements).
   */
  broker?: Broker;
}

/** An output a stream keeps open beside its processor (a Parquet archive and its flush timer). */
export interface StreamOutput<E> {
  /** Receives each batch's accepted records before the broker commits it. */
  sink: AcceptedSink<E>;
  /** Writes what is left and closes the output; called after the processor stopped. */
  close(): Promise<void>;
}

/**
 * How the stream's page is described, for the web side (the seam where a
 * page's live feed and read model attach).
 */
export interface StreamPage {
  /** Page the stream is shown on (several streams may share one). */
  page: string;
  /** Heading of the stream on its page. */
  title: string;
}

/** Everything a stream is. `E` is its validated event, `A` its window accumulator. */
export interface StreamModule<E = unknown, A = unknown> {
  name: StreamName;
  topics: StreamTopics;
  /** Partitions of its input topic. */
  partitions(config: Config): number;
  /** Its event-time settings when the configuration does not set them. */
  defaults: StreamSettings;
  source: StreamSource;
  /** The processor definition: validation, derivation, stored documents, windows, aggregates. */
  definition(context: StreamContext): StreamDefinition<E, A>;
  /** Opens an output beside the stores, for processes that run the stream's processor. */
  output?(context: StreamContext & { log: Logger }): StreamOutput<E>;
  page?: StreamPage;
}

/**
 * Declares a stream module. The registry holds modules of many event types
 * side by side; each module's definition only ever sees its own records, so
 * its types are erased here, once.
 */
export function defineStream<E, A>(module: StreamModule<E, A>): StreamModule {
  return module as unknown as StreamModule;
}

/**
 * The defaults `config.ts` documents for a stream StreamBoard ships (a
 * stream added beside them declares its own in its module).
 */
export function shippedDefaults(name: StreamName): StreamSettings {
  return {
    outOfOrdernessMs: DEFAULTS.streams.outOfOrdernessMs[name],
    allowedLatenessMs: DEFAULTS.streams.allowedLatenessMs[name],
    maxFutureMs: DEFAULTS.streams.maxFutureMs[name],
  };
}

/**
 * A stream's event-time settings: what the configuration sets for it
 * (`STREAMBOARD_<NAME>_OUT_OF_ORDER_MS`, `_LATENESS_MS`, `_MAX_FUTURE_MS`),
 * else the module's defaults. The one place per-stream settings are read.
 */
export function streamSettings(
  module: Pick<StreamModule, "name" | "defaults">,
  config: Config,
): StreamSettings {
  const { streams } = config;
  return {
    outOfOrdernessMs: streams.outOfOrdernessMs[module.name] ?? module.defaults.outOfOrdernessMs,
    allowedLatenessMs: streams.allowedLatenessMs[module.name] ?? module.defaults.allowedLatenessMs,
    maxFutureMs: streams.maxFutureMs[module.name] ?? module.defaults.maxFutureMs,
  };
}

/**
 * `config` with the stream's settings resolved into its per-stream records,
 * as the stream builders (`usersStream(config)`...) read them.
 */
export function withStreamSettings(
  module: Pick<StreamModule, "name" | "defaults">,
  config: Config,
): Config {
  const settings = streamSettings(module, config);
  const { streams } = config;
  return {
    ...config,
    streams: {
      ...streams,
      outOfOrdernessMs: { ...streams.outOfOrdernessMs, [module.name]: settings.outOfOrdernessMs },
      allowedLatenessMs: {
        ...streams.allowedLatenessMs,
        [module.name]: settings.allowedLatenessMs,
      },
      maxFutureMs: { ...streams.maxFutureMs, [module.name]: settings.maxFutureMs },
    },
  };
}

/** A stream's processor definition with its output attached, and how to close that output. */
export interface OpenStream {
  definition: StreamDefinition<unknown, unknown>;
  close(): Promise<void>;
}

/** Builds a stream's definition and opens its output (if any) for a processor to run. */
export function openStream(
  module: StreamModule,
  context: StreamContext & { log: Logger },
): OpenStream {
  const output = module.output?.(context);
  const definition = module.definition(context);
  return {
    definition: output
      ? { ...definition, sinks: [...(definition.sinks ?? []), output.sink] }
      : definition,
    close: () => output?.close() ?? Promise.resolve(),
  };
}
