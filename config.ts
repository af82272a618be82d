/**
 * Typed configuration, read once from the environment.
 *
 * Every setting has a default that works on a fresh machine; `loadConfig`
 * is pure (it takes the environment as a plain record) so tests pass their own.
 */

import { SettingError } from "./pipeline/errors.ts";

/** Where the broker and the stores live. */
export type Mode = "embedded" | "services";

/**
 * Everything StreamBoard reads from its environment, grouped by what it
 * configures. Plain data: it crosses worker boundaries.
 */
export interface Config {
  mode: Mode;
  web: WebConfig;
  broker: BrokerConfig;
  stores: StoresConfig;
  producer: ProducerConfig;
  processor: ProcessorConfig;
  streams: StreamsConfig;
}

/** The dashboard and API server, and its live (SSE) streams. */
export interface WebConfig {
  /** HTTP port of the dashboard and API. */
  port: number;
  /** Interface the server binds to. */
  host: string;
  /** Bearer token required by write endpoints; `undefined` leaves them open (loopback only). */
  writeToken: string | undefined;
  /** Origins (besides the server's own) allowed to call write endpoints, e.g. `https://ops.example`. */
  allowedOrigins: string[];
  /** Host names the server answers for besides the loopback names and `HOST`. */
  allowedHosts: string[];
  /** Longest time a client may take to send a request's headers, ms. */
  headerTimeoutMs: number;
  /** Longest time a client may take to send a request's body, ms. */
  bodyTimeoutMs: number;
  /** How long an idle keep-alive connection stays open, ms. */
  keepAliveTimeoutMs: number;
  /** Most connections open at once; more are refused. */
  maxConnections: number;
  /** Events kept for SSE clients that reconnect with `Last-Event-ID`. */
  sseReplay: number;
  /** Events buffered per SSE client before it is resynchronised with a snapshot. */
  sseClientBuffer: number;
  /** Interval of SSE heartbeat comments, in ms. */
  sseHeartbeatMs: number;
  /** Most SSE viewers one client address may hold open at once. */
  sseViewersPerClient: number;
  /** How often the console samples every group's committed and end offsets (lag in seconds), ms. */
  lagSampleMs: number;
  /**
   * Nice value (0–19) of the pipeline's worker threads (processors,
   * producers, write-ahead log checkpoints) on Linux: above 0 the thread
   * serving pages and live streams goes first when the cores are short, and
   * the workers catch up in batches. 0 schedules them as the web thread.
   */
  workerNice: number;
}

/** The log the streams' records go through: the embedded log or Kafka. */
export interface BrokerConfig {
  /** Partitions of each stream topic when StreamBoard creates it. */
  partitions: number;
  /** Prefix of topic and consumer group names, to share one cluster between installations. */
  namespace: string;
  /** Hours the embedded log keeps records (as Kafka's `retention.ms`). */
  retentionHours: number;
  /** How often an idle embedded consumer looks for new records, in ms. */
  pollMs: number;
  /** Services mode: Kafka/Redpanda bootstrap addresses. */
  kafkaBrokers: string[];
  /** Services mode: replication factor of topics StreamBoard creates. */
  kafkaReplicationFactor: number;
  /** How long a producer waits to fill a batch before sending it, in ms. */
  lingerMs: number;
  /**
   * How long a processor lets records gather before it handles them, unless
   * a partition holds `fetchMinRecords` (embedded) or a full batch (Kafka), in
   * ms (0: at once). Larger batches cost less CPU per record at live rates
   * and add up to this much latency.
   */
  fetchWaitMs: number;
  /** Embedded mode: records a partition must hold to be handled without waiting out `fetchWaitMs`. */
  fetchMinRecords: number;
  /** Records a producer sends in one batch at most. */
  producerBatchSize: number;
}

/** Where records and aggregates are kept: the data directory, or MongoDB and Cassandra. */
export interface StoresConfig {
  /** Directory of the embedded log and stores, and of the CSV/Parquet outputs. */
  dataDir: string;
  /** Services mode: MongoDB connection string. */
  mongodbUrl: string;
  /** Services mode: MongoDB database. */
  mongodbDb: string;
  /** Services mode: Cassandra nodes, `host[:port]`. */
  cassandraContactPoints: string[];
  /** Services mode: Cassandra data center of those nodes. */
  cassandraDc: string;
  /** Services mode: Cassandra keyspace (created when missing). */
  cassandraKeyspace: string;
  /** Services mode: CQL replication map of a created keyspace. */
  cassandraReplication: string;
  /** Services mode: connect timeout of each driver (Kafka's too), in ms. */
  connectTimeoutMs: number;
  /** How long an event id is remembered to recognise a resent record, hours. */
  dedupHorizonHours: number;
  /**
   * Embedded mode: who checkpoints the SQLite files' write-ahead logs, a
   * thread of the app (`background`) or the commit that fills them (`inline`).
   */
  walCheckpoints: "background" | "inline";
}

/** The built-in generator that `deno task start` runs. */
export interface ProducerConfig {
  /** Whether `deno task start` runs the built-in generator. */
  enabled: boolean;
  /** Records per second of each stream's generator (0 = as fast as possible). */
  rate: number;
  /** Seed of the built-in generator, so a run can be repeated; random when unset. */
  seed: number | undefined;
}

/** How each stream's processor takes records. */
export interface ProcessorConfig {
  /** Most records the processor takes from one partition in one batch. */
  batchSize: number;
  /** After this long without records a partition stops holding windows open, ms. */
  idleTimeoutMs: number;
  /** Largest record a processor takes; a larger one is dead-lettered as `too-large`, bytes. */
  maxRecordBytes: number;
  /**
   * Largest share (0 to 1) of a partition's recent records that may fail with
   * `processing-error` before the partition stops as a broken deployment.
   */
  processingErrorShare: number;
  /** The window `processingErrorShare` is judged over, ms of processing time. */
  processingErrorWindowMs: number;
  /**
   * Processor workers per stream in this process, members of the stream's
   * consumer group sharing its partitions (more than the partitions idle).
   */
  workers: number;
}

/**
 * Which streams run, their event-time settings by stream name, and the
 * settings of the streams StreamBoard ships.
 */
export interface StreamsConfig {
  /**
   * Streams this process produces (when the producer is enabled) and
   * processes; every stream of the registry when unset. Checked against the
   * registry at start.
   */
  selected: string[] | undefined;
  /**
   * Out-of-orderness bound set for a stream, ms, by stream name: its
   * watermark trails the highest event time seen by this much, so windows
   * wait for it. A stream not named here takes its module's defaults.
   */
  outOfOrdernessMs: Record<string, number>;
  /**
   * Allowed lateness set for a stream, ms, by stream name: how long after a
   * window fired it still takes records and fires again (Flink's allowed
   * lateness). A stream not named here takes its module's defaults.
   */
  allowedLatenessMs: Record<string, number>;
  /**
   * How far ahead of the processing clock an event time may be, ms, by stream
   * name. A stream not named here takes its module's defaults.
   */
  maxFutureMs: Record<string, number>;
  /** The users stream. */
  users: {
    /** Whether RandomUser `login` secrets (password, salt, hashes) are kept in the raw store. */
    keepLoginSecrets: boolean;
  };
  /** The products VAT job. */
  products: {
    /** Window length, ms (two minutes). */
    windowMs: number;
  };
  /** The clickstream topics (clicks, views, ratings). */
  clickstream: {
    /** How often the archive writes each topic's new records to Parquet, ms. */
    archiveIntervalMs: number;
  };
  /** The sessions stream. */
  sessions: {
    /** Event time without a click or view of a user that ends the user's session, ms. */
    gapMs: number;
  };
}

/** The defaults, as documented in the README's configuration table. */
export const DEFAULTS: Config = {
  mode: "embedded",
  web: {
    port: 8000,
    host: "127.0.0.1",
    writeToken: undefined,
    allowedOrigins: [],
    allowedHosts: [],
    headerTimeoutMs: 10_000,
    bodyTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: 1024,
    sseReplay: 1000,
    sseClientBuffer: 256,
    sseHeartbeatMs: 15000,
    sseViewersPerClient: 32,
    lagSampleMs: 5_000,
    workerNice: 10,
  },
  broker: {
    partitions: 4,
    namespace: "",
    retentionHours: 168,
    pollMs: 100,
    kafkaBrokers: ["127.0.0.1:9092"],
    kafkaReplicationFactor: 1,
    lingerMs: 5,
    fetchWaitMs: 0,
    fetchMinRecords: 16,
    producerBatchSize: 1000,
  },
  stores: {
    dataDir: "./data",
    mongodbUrl: "mongodb://127.0.0.1:27017/",
    mongodbDb: "streamboard",
    cassandraContactPoints: ["127.0.0.1:9042"],
    cassandraDc: "datacenter1",
    cassandraKeyspace: "streamboard",
    cassandraReplication: "{'class': 'SimpleStrategy', 'replication_factor': 1}",
    connectTimeoutMs: 5000,
    dedupHorizonHours: 168,
    walCheckpoints: "background",
  },
  producer: {
    enabled: true,
    rate: 5,
    seed: undefined,
  },
  processor: {
    batchSize: 2000,
    idleTimeoutMs: 30_000,
    maxRecordBytes: 1_048_576,
    processingErrorShare: 0.05,
    processingErrorWindowMs: 60_000,
    workers: 1,
  },
  streams: {
    selected: undefined,
    // Defaults of the streams StreamBoard ships (their modules take them from here); a stream
    // added beside them brings its own defaults in its module.
    outOfOrdernessMs: {
      users: 5000,
      sales: 5000,
      clicks: 5000,
      views: 5000,
      ratings: 5000,
      products: 5000,
      sessions: 5000,
    },
    // Live dashboard streams fire once: their generators send in event-time order within a few
    // seconds, which the out-of-orderness covers. Products windows become CSV files and stored
    // sums that a minute-late correction should still reach, so they take records for 60 s more.
    allowedLatenessMs: {
      users: 0,
      sales: 0,
      clicks: 0,
      views: 0,
      ratings: 0,
      products: 60_000,
      sessions: 0,
    },
    maxFutureMs: {
      users: 300_000,
      sales: 300_000,
      clicks: 300_000,
      views: 300_000,
      ratings: 300_000,
      products: 300_000,
      sessions: 300_000,
    },
    users: { keepLoginSecrets: false },
    products: { windowMs: 120_000 },
    clickstream: { archiveIntervalMs: 10_000 },
    // The generator gives each of 1000 users a click or view about every 100 s (5/s per topic):
    // two minutes of silence ends a session after a few events, so the page shows sessions soon.
    sessions: { gapMs: 120_000 },
  },
};

/**
 * Changes to a configuration: any section, any field of it (nested records
 * too); what is left out keeps its value.
 */
export type ConfigChanges<T = Config> = {
  [K in keyof T]?: T[K] extends readonly unknown[] | undefined ? T[K]
    : T[K] extends object ? ConfigChanges<T[K]>
    : T[K];
};

/**
 * `base` with `changes` applied, section by section, so a test or tool names
 * only what it changes.
 *
 * @example
 * const config = withConfig(DEFAULTS, { web: { port: 0 }, stores: { dataDir } });
 */
export function withConfig(base: Config, changes: ConfigChanges): Config {
  return merged(base, changes);
}

function merged<T>(base: T, changes: ConfigChanges<T>): T {
  const result = { ...base };
  for (const key of Object.keys(changes) as Array<keyof T & keyof ConfigChanges<T>>) {
    const change = changes[key];
    const current = base[key];
    result[key] = isRecord(change) && isRecord(current)
      ? merged(current, change as ConfigChanges<typeof current>)
      : change as T[typeof key];
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type Env = Record<string, string | undefined>;

/**
 * Builds the configuration from environment variables.
 *
 * @throws {SettingError} naming the variable, what it expects and what it got.
 * @example
 * const config = loadConfig(Deno.env.toObject());
 */
export function loadConfig(env: Env): Config {
  const mode = env.STREAMBOARD_MODE?.trim() || DEFAULTS.mode;
  if (mode !== "embedded" && mode !== "services") {
    throw new SettingError(
      "STREAMBOARD_MODE",
      `STREAMBOARD_MODE must be "embedded" or "services", got "${mode}"`,
    );
  }
  const walCheckpoints = env.STREAMBOARD_WAL_CHECKPOINTS?.trim() || DEFAULTS.stores.walCheckpoints;
  if (walCheckpoints !== "background" && walCheckpoints !== "inline") {
    throw new SettingError(
      "STREAMBOARD_WAL_CHECKPOINTS",
      `STREAMBOARD_WAL_CHECKPOINTS must be "background" or "inline", got "${walCheckpoints}"`,
    );
  }
  const token = env.STREAMBOARD_WRITE_TOKEN;
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const list = (name: string, fallback: string[]) =>
    env[name]?.trim()
      ? env[name]!.split(",").map((s) => s.trim()).filter((s) => s !== "")
      : fallback;
  const keyspace = text("CASSANDRA_KEYSPACE", DEFAULTS.stores.cassandraKeyspace);
  if (!/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(keyspace)) {
    throw new SettingError(
      "CASSANDRA_KEYSPACE",
      `CASSANDRA_KEYSPACE must start with a letter and hold only letters, digits and _, got "${keyspace}"`,
    );
  }
  const namespace = text("STREAMBOARD_NAMESPACE", DEFAULTS.broker.namespace);
  if (!/^[A-Za-z0-9._-]*$/.test(namespace)) {
    throw new SettingError(
      "STREAMBOARD_NAMESPACE",
      `STREAMBOARD_NAMESPACE may hold only letters, digits, ".", "_" and "-", got "${namespace}"`,
    );
  }
  // Stream names are checked against the stream registry at start, which knows them.
  const selected = env.STREAMBOARD_STREAMS?.trim()
    ? list("STREAMBOARD_STREAMS", [])
    : DEFAULTS.streams.selected;
  const malformed = selected?.find((name) => !/^[a-z][a-z0-9_]*$/.test(name));
  if (malformed !== undefined) {
    throw new SettingError(
      "STREAMBOARD_STREAMS",
      `STREAMBOARD_STREAMS must list stream names (lower-case letters, digits and _), got "${malformed}"`,
    );
  }
  // Read for any stream name: the names are the registry's, checked against it at start.
  const perStream = (suffix: string, defaults: Record<string, number>, max: number) => {
    const pattern = new RegExp(`^STREAMBOARD_([A-Z][A-Z0-9_]*?)_${suffix}$`);
    const values: Record<string, number> = { ...defaults };
    for (const name of Object.keys(env).sort()) {
      const stream = pattern.exec(name)?.[1];
      if (stream === undefined || !env[name]?.trim()) continue;
      values[stream.toLowerCase()] = int(env, name, { fallback: 0, min: 0, max });
    }
    return values;
  };
  const allowedOrigins = list("STREAMBOARD_ALLOWED_ORIGINS", DEFAULTS.web.allowedOrigins);
  for (const origin of allowedOrigins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      throw new SettingError(
        "STREAMBOARD_ALLOWED_ORIGINS",
        `STREAMBOARD_ALLOWED_ORIGINS must list origins such as https://ops.example:8443 (scheme, host, port; no path), got "${origin}"`,
      );
    }
  }
  const allowedHosts = list("STREAMBOARD_ALLOWED_HOSTS", DEFAULTS.web.allowedHosts)
    .map((host) => host.toLowerCase());
  for (const host of allowedHosts) {
    if (!/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(host)) {
      throw new SettingError(
        "STREAMBOARD_ALLOWED_HOSTS",
        `STREAMBOARD_ALLOWED_HOSTS must list host names without port (dashboard.example, [::1]), got "${host}"`,
      );
    }
  }
  const host = text("HOST", DEFAULTS.web.host);
  if (!/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/.test(host)) {
    throw new SettingError("HOST", `HOST must be a host name or IP address, got "${host}"`);
  }
  const kafkaBrokers = addresses(
    "KAFKA_BROKERS",
    list("KAFKA_BROKERS", DEFAULTS.broker.kafkaBrokers),
    true,
  );
  const cassandraContactPoints = addresses(
    "CASSANDRA_CONTACT_POINTS",
    list("CASSANDRA_CONTACT_POINTS", DEFAULTS.stores.cassandraContactPoints),
    false,
  );
  const mongodbUrl = text("MONGODB_URL", DEFAULTS.stores.mongodbUrl);
  if (!/^mongodb(\+srv)?:\/\/[^/]+/.test(mongodbUrl)) {
    throw new SettingError(
      "MONGODB_URL",
      `MONGODB_URL must be a connection string such as mongodb://host:27017/, got "${
        mongodbUrl.replace(/\/\/[^@/]*@/, "//")
      }"`,
    );
  }
  const cassandraReplication = text("CASSANDRA_REPLICATION", DEFAULTS.stores.cassandraReplication);
  if (!/^\{.*'class'.*\}$/s.test(cassandraReplication)) {
    throw new SettingError(
      "CASSANDRA_REPLICATION",
      `CASSANDRA_REPLICATION must be a CQL replication map such as ${DEFAULTS.stores.cassandraReplication}, got "${cassandraReplication}"`,
    );
  }
  const web: WebConfig = {
    port: int(env, "PORT", { fallback: DEFAULTS.web.port, min: 0, max: 65535 }),
    host,
    writeToken: token === undefined || token === "" ? undefined : token,
    allowedOrigins,
    allowedHosts,
    headerTimeoutMs: int(env, "STREAMBOARD_HEADER_TIMEOUT_MS", {
      fallback: DEFAULTS.web.headerTimeoutMs,
      min: 100,
      max: 600_000,
    }),
    bodyTimeoutMs: int(env, "STREAMBOARD_BODY_TIMEOUT_MS", {
      fallback: DEFAULTS.web.bodyTimeoutMs,
      min: 100,
      max: 600_000,
    }),
    keepAliveTimeoutMs: int(env, "STREAMBOARD_KEEPALIVE_TIMEOUT_MS", {
      fallback: DEFAULTS.web.keepAliveTimeoutMs,
      min: 100,
      max: 600_000,
    }),
    maxConnections: int(env, "STREAMBOARD_MAX_CONNECTIONS", {
      fallback: DEFAULTS.web.maxConnections,
      min: 1,
      max: 1_000_000,
    }),
    sseReplay: int(env, "STREAMBOARD_SSE_REPLAY", {
      fallback: DEFAULTS.web.sseReplay,
      min: 0,
      max: 1_000_000,
    }),
    sseClientBuffer: int(env, "STREAMBOARD_SSE_CLIENT_BUFFER", {
      fallback: DEFAULTS.web.sseClientBuffer,
      min: 1,
      max: 1_000_000,
    }),
    sseHeartbeatMs: int(env, "STREAMBOARD_SSE_HEARTBEAT_MS", {
      fallback: DEFAULTS.web.sseHeartbeatMs,
      min: 100,
      max: 3_600_000,
    }),
    sseViewersPerClient: int(env, "STREAMBOARD_SSE_VIEWERS_PER_CLIENT", {
      fallback: DEFAULTS.web.sseViewersPerClient,
      min: 1,
      max: 100_000,
    }),
    lagSampleMs: int(env, "STREAMBOARD_LAG_SAMPLE_MS", {
      fallback: DEFAULTS.web.lagSampleMs,
      min: 10,
      max: 600_000,
    }),
    workerNice: int(env, "STREAMBOARD_WORKER_NICE", {
      fallback: DEFAULTS.web.workerNice,
      min: 0,
      max: 19,
    }),
  };
  const broker: BrokerConfig = {
    partitions: int(env, "STREAMBOARD_PARTITIONS", {
      fallback: DEFAULTS.broker.partitions,
      min: 1,
      max: 1024,
    }),
    namespace,
    retentionHours: num(env, "STREAMBOARD_RETENTION_HOURS", {
      fallback: DEFAULTS.broker.retentionHours,
      min: 0.01,
      max: 1e6,
    }),
    pollMs: int(env, "STREAMBOARD_POLL_MS", {
      fallback: DEFAULTS.broker.pollMs,
      min: 1,
      max: 60_000,
    }),
    kafkaBrokers,
    kafkaReplicationFactor: int(env, "KAFKA_REPLICATION_FACTOR", {
      fallback: DEFAULTS.broker.kafkaReplicationFactor,
      min: 1,
      max: 16,
    }),
    lingerMs: int(env, "STREAMBOARD_LINGER_MS", {
      fallback: DEFAULTS.broker.lingerMs,
      min: 0,
      max: 60_000,
    }),
    fetchWaitMs: int(env, "STREAMBOARD_FETCH_WAIT_MS", {
      fallback: DEFAULTS.broker.fetchWaitMs,
      min: 0,
      max: 10_000,
    }),
    fetchMinRecords: int(env, "STREAMBOARD_FETCH_MIN_RECORDS", {
      fallback: DEFAULTS.broker.fetchMinRecords,
      min: 1,
      max: 100_000,
    }),
    producerBatchSize: int(env, "STREAMBOARD_PRODUCER_BATCH_SIZE", {
      fallback: DEFAULTS.broker.producerBatchSize,
      min: 1,
      max: 100_000,
    }),
  };
  const stores: StoresConfig = {
    dataDir: env.STREAMBOARD_DATA_DIR?.trim() || DEFAULTS.stores.dataDir,
    mongodbUrl,
    mongodbDb: text("MONGODB_DB", DEFAULTS.stores.mongodbDb),
    cassandraContactPoints,
    cassandraDc: text("CASSANDRA_DC", DEFAULTS.stores.cassandraDc),
    cassandraKeyspace: keyspace,
    cassandraReplication,
    connectTimeoutMs: int(env, "STREAMBOARD_CONNECT_TIMEOUT_MS", {
      fallback: DEFAULTS.stores.connectTimeoutMs,
      min: 100,
      max: 600_000,
    }),
    dedupHorizonHours: num(env, "STREAMBOARD_DEDUP_HORIZON_HOURS", {
      fallback: DEFAULTS.stores.dedupHorizonHours,
      min: 0.01,
      max: 1e6,
    }),
    walCheckpoints,
  };
  const producer: ProducerConfig = {
    enabled: flag(env, "STREAMBOARD_PRODUCE", DEFAULTS.producer.enabled),
    rate: num(env, "STREAMBOARD_RATE", { fallback: DEFAULTS.producer.rate, min: 0, max: 1e6 }),
    seed: env.STREAMBOARD_SEED?.trim()
      ? int(env, "STREAMBOARD_SEED", { fallback: 0, min: 0, max: 2 ** 31 - 1 })
      : undefined,
  };
  const processor: ProcessorConfig = {
    batchSize: int(env, "STREAMBOARD_BATCH_SIZE", {
      fallback: DEFAULTS.processor.batchSize,
      min: 1,
      max: 100_000,
    }),
    idleTimeoutMs: int(env, "STREAMBOARD_IDLE_TIMEOUT_MS", {
      fallback: DEFAULTS.processor.idleTimeoutMs,
      min: 100,
      max: 86_400_000,
    }),
    maxRecordBytes: int(env, "STREAMBOARD_MAX_RECORD_BYTES", {
      fallback: DEFAULTS.processor.maxRecordBytes,
      min: 1024,
      max: 64 * 1_048_576,
    }),
    processingErrorShare: num(env, "STREAMBOARD_PROCESSING_ERROR_SHARE", {
      fallback: DEFAULTS.processor.processingErrorShare,
      min: 0,
      max: 1,
    }),
    processingErrorWindowMs: int(env, "STREAMBOARD_PROCESSING_ERROR_WINDOW_MS", {
      fallback: DEFAULTS.processor.processingErrorWindowMs,
      min: 1000,
      max: 86_400_000,
    }),
    workers: int(env, "STREAMBOARD_PROCESSOR_WORKERS", {
      fallback: DEFAULTS.processor.workers,
      min: 1,
      max: 16,
    }),
  };
  const streams: StreamsConfig = {
    selected,
    outOfOrdernessMs: perStream("OUT_OF_ORDER_MS", DEFAULTS.streams.outOfOrdernessMs, 86_400_000),
    allowedLatenessMs: perStream("LATENESS_MS", DEFAULTS.streams.allowedLatenessMs, 86_400_000),
    maxFutureMs: perStream("MAX_FUTURE_MS", DEFAULTS.streams.maxFutureMs, 31_536_000_000),
    users: {
      keepLoginSecrets: flag(
        env,
        "STREAMBOARD_KEEP_LOGIN_SECRETS",
        DEFAULTS.streams.users.keepLoginSecrets,
      ),
    },
    products: {
      windowMs: int(env, "STREAMBOARD_PRODUCTS_WINDOW_MS", {
        fallback: DEFAULTS.streams.products.windowMs,
        min: 1000,
        max: 86_400_000,
      }),
    },
    clickstream: {
      archiveIntervalMs: int(env, "STREAMBOARD_ARCHIVE_INTERVAL_MS", {
        fallback: DEFAULTS.streams.clickstream.archiveIntervalMs,
        min: 100,
        max: 86_400_000,
      }),
    },
    sessions: {
      gapMs: int(env, "STREAMBOARD_SESSION_GAP_MS", {
        fallback: DEFAULTS.streams.sessions.gapMs,
        min: 1000,
        max: 86_400_000,
      }),
    },
  };
  return { mode, web, broker, stores, producer, processor, streams };
}

/** True for the loopback names and addresses, the only interfaces open without a write token. */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1" || host === "[::1]") return true;
  const parts = host.split(".");
  return parts.length === 4 && parts[0] === "127" &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * Refuses a configuration that would expose write endpoints beyond loopback.
 *
 * @throws {SettingError} naming HOST when it is not loopback and no write token is set.
 */
export function assertSafeToListen(config: Config): void {
  if (!isLoopback(config.web.host) && config.web.writeToken === undefined) {
    throw new SettingError(
      "HOST",
      `HOST=${config.web.host} listens beyond loopback, so STREAMBOARD_WRITE_TOKEN must be set ` +
        `(write endpoints would otherwise be open to the network)`,
    );
  }
}

/** The accepted range of a number setting, and its value when unset. */
interface NumberRange {
  fallback: number;
  min: number;
  max: number;
}

function num(env: Env, name: string, { fallback, min, max }: NumberRange): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new SettingError(name, `${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function int(env: Env, name: string, range: NumberRange): number {
  const value = num(env, name, range);
  if (!Number.isInteger(value)) {
    throw new SettingError(name, `${name} must be a whole number, got "${env[name]}"`);
  }
  return value;
}

/** Checks a list of `host:port` (`host[:port]` unless `portRequired`) addresses. */
function addresses(name: string, values: string[], portRequired: boolean): string[] {
  for (const value of values) {
    const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/.exec(value);
    const port = match?.[2] === undefined ? undefined : Number(match[2]);
    if (
      !match || (portRequired && port === undefined) ||
      (port !== undefined && (port < 1 || port > 65535))
    ) {
      throw new SettingError(
        name,
        `${name} must list ${
          portRequired ? "host:port" : "host[:port]"
        } addresses separated by commas, got "${value}"`,
      );
    }
  }
  return values;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (raw === "1" || raw === "true") return true;
  if (raw === "0" || raw === "false") return false;
  throw new SettingError(name, `${name} must be 1 or 0, got "${raw}"`);
}
