import assert from "node:assert/strict";
import { assertSafeToListen, DEFAULTS, isLoopback, loadConfig, withConfig } from "./config.ts";
import { SettingError } from "./pipeline/errors.ts";

Deno.test("an empty environment gives the documented defaults", () => {
  assert.deepEqual(loadConfig({}), DEFAULTS);
  assert.equal(DEFAULTS.mode, "embedded");
  assert.equal(
    DEFAULTS.web.host,
    "127.0.0.1",
    "the default only listens on loopback",
  );
  assert.equal(DEFAULTS.web.writeToken, undefined);
  assert.equal(
    DEFAULTS.producer.seed,
    undefined,
    "runs are random unless a seed is given",
  );
});

Deno.test("every variable is read into its setting", () => {
  const config = loadConfig({
    STREAMBOARD_MODE: "services",
    PORT: "9090",
    HOST: "0.0.0.0",
    STREAMBOARD_DATA_DIR: "/var/lib/streamboard",
    STREAMBOARD_PRODUCE: "0",
    STREAMBOARD_WRITE_TOKEN: "s3cret",
    STREAMBOARD_PARTITIONS: "12",
    STREAMBOARD_RATE: "2.5",
    STREAMBOARD_SEED: "42",
    STREAMBOARD_BATCH_SIZE: "500",
    STREAMBOARD_LINGER_MS: "0",
    STREAMBOARD_FETCH_WAIT_MS: "20",
    STREAMBOARD_FETCH_MIN_RECORDS: "64",
    STREAMBOARD_PROCESSOR_WORKERS: "3",
    STREAMBOARD_PRODUCER_BATCH_SIZE: "250",
    STREAMBOARD_RETENTION_HOURS: "0.5",
    STREAMBOARD_POLL_MS: "50",
    STREAMBOARD_SSE_REPLAY: "0",
    STREAMBOARD_SSE_CLIENT_BUFFER: "64",
    STREAMBOARD_SSE_HEARTBEAT_MS: "5000",
    KAFKA_BROKERS: "k1:9092, k2:9092",
    MONGODB_URL: "mongodb://m1:27017/",
    MONGODB_DB: "sb",
    CASSANDRA_CONTACT_POINTS: "c1,c2:9043",
    CASSANDRA_DC: "dc2",
    CASSANDRA_KEYSPACE: "sb_prod",
    CASSANDRA_REPLICATION: "{'class': 'NetworkTopologyStrategy', 'dc2': 3}",
    KAFKA_REPLICATION_FACTOR: "3",
    STREAMBOARD_CONNECT_TIMEOUT_MS: "2000",
    STREAMBOARD_NAMESPACE: "staging.",
    STREAMBOARD_STREAMS: "sales, products",
    STREAMBOARD_USERS_LATENESS_MS: "500",
    STREAMBOARD_SALES_LATENESS_MS: "1000",
    STREAMBOARD_CLICKS_LATENESS_MS: "2000",
    STREAMBOARD_VIEWS_LATENESS_MS: "3000",
    STREAMBOARD_RATINGS_LATENESS_MS: "4000",
    STREAMBOARD_PRODUCTS_LATENESS_MS: "0",
    STREAMBOARD_SESSIONS_LATENESS_MS: "5000",
    STREAMBOARD_USERS_OUT_OF_ORDER_MS: "100",
    STREAMBOARD_SALES_OUT_OF_ORDER_MS: "200",
    STREAMBOARD_CLICKS_OUT_OF_ORDER_MS: "300",
    STREAMBOARD_VIEWS_OUT_OF_ORDER_MS: "400",
    STREAMBOARD_RATINGS_OUT_OF_ORDER_MS: "0",
    STREAMBOARD_PRODUCTS_OUT_OF_ORDER_MS: "600",
    STREAMBOARD_IDLE_TIMEOUT_MS: "7000",
    STREAMBOARD_PRODUCTS_WINDOW_MS: "60000",
    STREAMBOARD_SESSION_GAP_MS: "1800000",
    STREAMBOARD_SESSIONS_OUT_OF_ORDER_MS: "700",
    STREAMBOARD_SESSIONS_MAX_FUTURE_MS: "4000",
    STREAMBOARD_ARCHIVE_INTERVAL_MS: "2500",
    STREAMBOARD_USERS_MAX_FUTURE_MS: "0",
    STREAMBOARD_SALES_MAX_FUTURE_MS: "60000",
    STREAMBOARD_CLICKS_MAX_FUTURE_MS: "1000",
    STREAMBOARD_VIEWS_MAX_FUTURE_MS: "2000",
    STREAMBOARD_RATINGS_MAX_FUTURE_MS: "3000",
    STREAMBOARD_PRODUCTS_MAX_FUTURE_MS: "3600000",
    STREAMBOARD_DEDUP_HORIZON_HOURS: "24",
    STREAMBOARD_WAL_CHECKPOINTS: "inline",
    STREAMBOARD_MAX_RECORD_BYTES: "65536",
    STREAMBOARD_KEEP_LOGIN_SECRETS: "1",
    STREAMBOARD_ALLOWED_ORIGINS: "https://ops.example, http://10.0.0.5:8000",
    STREAMBOARD_ALLOWED_HOSTS: "Dashboard.Example,[::1]",
    STREAMBOARD_HEADER_TIMEOUT_MS: "2000",
    STREAMBOARD_BODY_TIMEOUT_MS: "4000",
    STREAMBOARD_KEEPALIVE_TIMEOUT_MS: "1000",
    STREAMBOARD_MAX_CONNECTIONS: "50",
    STREAMBOARD_SSE_VIEWERS_PER_CLIENT: "4",
    STREAMBOARD_LAG_SAMPLE_MS: "1000",
    STREAMBOARD_WORKER_NICE: "0",
    STREAMBOARD_PROCESSING_ERROR_SHARE: "0.1",
    STREAMBOARD_PROCESSING_ERROR_WINDOW_MS: "30000",
  });
  assert.deepEqual(config, {
    mode: "services",
    web: {
      port: 9090,
      host: "0.0.0.0",
      writeToken: "s3cret",
      allowedOrigins: ["https://ops.example", "http://10.0.0.5:8000"],
      allowedHosts: ["dashboard.example", "[::1]"],
      headerTimeoutMs: 2000,
      bodyTimeoutMs: 4000,
      keepAliveTimeoutMs: 1000,
      maxConnections: 50,
      sseReplay: 0,
      sseClientBuffer: 64,
      sseHeartbeatMs: 5000,
      sseViewersPerClient: 4,
      lagSampleMs: 1000,
      workerNice: 0,
    },
    broker: {
      partitions: 12,
      namespace: "staging.",
      retentionHours: 0.5,
      pollMs: 50,
      kafkaBrokers: ["k1:9092", "k2:9092"],
      kafkaReplicationFactor: 3,
      lingerMs: 0,
      fetchWaitMs: 20,
      fetchMinRecords: 64,
      producerBatchSize: 250,
    },
    stores: {
      dataDir: "/var/lib/streamboard",
      mongodbUrl: "mongodb://m1:27017/",
      mongodbDb: "sb",
      cassandraContactPoints: ["c1", "c2:9043"],
      cassandraDc: "dc2",
      cassandraKeyspace: "sb_prod",
      cassandraReplication: "{'class': 'NetworkTopologyStrategy', 'dc2': 3}",
      connectTimeoutMs: 2000,
      dedupHorizonHours: 24,
      walCheckpoints: "inline",
    },
    producer: { enabled: false, rate: 2.5, seed: 42 },
    processor: {
      batchSize: 500,
      idleTimeoutMs: 7000,
      maxRecordBytes: 65_536,
      processingErrorShare: 0.1,
      processingErrorWindowMs: 30_000,
      workers: 3,
    },
    streams: {
      selected: ["sales", "products"],
      outOfOrdernessMs: {
        users: 100,
        sales: 200,
        clicks: 300,
        views: 400,
        ratings: 0,
        products: 600,
        sessions: 700,
      },
      allowedLatenessMs: {
        users: 500,
        sales: 1000,
        clicks: 2000,
        views: 3000,
        ratings: 4000,
        products: 0,
        sessions: 5000,
      },
      maxFutureMs: {
        users: 0,
        sales: 60_000,
        clicks: 1000,
        views: 2000,
        ratings: 3000,
        products: 3_600_000,
        sessions: 4000,
      },
      users: { keepLoginSecrets: true },
      products: { windowMs: 60_000 },
      clickstream: { archiveIntervalMs: 2500 },
      sessions: { gapMs: 1_800_000 },
    },
  });
});

Deno.test("every setting refuses a bad value with a message naming it, so the start stops", () => {
  // One bad value per variable StreamBoard reads; each must name its variable.
  const bad: Record<string, string> = {
    STREAMBOARD_MODE: "cloud",
    PORT: "http",
    HOST: "dash board",
    STREAMBOARD_PRODUCE: "maybe",
    STREAMBOARD_PARTITIONS: "0",
    STREAMBOARD_RATE: "fast",
    STREAMBOARD_SEED: "-1",
    STREAMBOARD_BATCH_SIZE: "0",
    STREAMBOARD_LINGER_MS: "-5",
    STREAMBOARD_FETCH_WAIT_MS: "soon",
    STREAMBOARD_FETCH_MIN_RECORDS: "0",
    STREAMBOARD_WAL_CHECKPOINTS: "later",
    STREAMBOARD_PROCESSOR_WORKERS: "0",
    STREAMBOARD_PRODUCER_BATCH_SIZE: "1e9",
    STREAMBOARD_RETENTION_HOURS: "0",
    STREAMBOARD_POLL_MS: "0",
    STREAMBOARD_SSE_REPLAY: "-1",
    STREAMBOARD_SSE_CLIENT_BUFFER: "0",
    STREAMBOARD_SSE_HEARTBEAT_MS: "1",
    KAFKA_BROKERS: "k1",
    MONGODB_URL: "http://m1:27017/",
    CASSANDRA_CONTACT_POINTS: "c1:0",
    CASSANDRA_KEYSPACE: "1ks",
    CASSANDRA_REPLICATION: "3",
    KAFKA_REPLICATION_FACTOR: "0",
    STREAMBOARD_CONNECT_TIMEOUT_MS: "1",
    STREAMBOARD_NAMESPACE: "a/b",
    STREAMBOARD_STREAMS: "users,Sales!",
    STREAMBOARD_PRODUCTS_LATENESS_MS: "-1",
    STREAMBOARD_USERS_OUT_OF_ORDER_MS: "x",
    STREAMBOARD_IDLE_TIMEOUT_MS: "1",
    STREAMBOARD_PRODUCTS_WINDOW_MS: "10",
    STREAMBOARD_ARCHIVE_INTERVAL_MS: "1",
    STREAMBOARD_SALES_MAX_FUTURE_MS: "-1",
    STREAMBOARD_DEDUP_HORIZON_HOURS: "0",
    STREAMBOARD_MAX_RECORD_BYTES: "10",
    STREAMBOARD_KEEP_LOGIN_SECRETS: "yes",
    STREAMBOARD_ALLOWED_ORIGINS: "ops.example",
    STREAMBOARD_ALLOWED_HOSTS: "a:1",
    STREAMBOARD_HEADER_TIMEOUT_MS: "1",
    STREAMBOARD_BODY_TIMEOUT_MS: "1",
    STREAMBOARD_KEEPALIVE_TIMEOUT_MS: "1",
    STREAMBOARD_MAX_CONNECTIONS: "0",
    STREAMBOARD_SSE_VIEWERS_PER_CLIENT: "0",
    STREAMBOARD_LAG_SAMPLE_MS: "5",
    STREAMBOARD_WORKER_NICE: "20",
    STREAMBOARD_PROCESSING_ERROR_SHARE: "1.5",
    STREAMBOARD_PROCESSING_ERROR_WINDOW_MS: "10",
  };
  for (const [name, value] of Object.entries(bad)) {
    assert.throws(() => loadConfig({ [name]: value }), (error: unknown) => {
      assert.ok(error instanceof SettingError, `${name}=${value}: ${error}`);
      assert.equal(error.setting, name);
      assert.equal(error.retriable, false);
      assert.ok(error.message.startsWith(name), error.message);
      return true;
    }, `${name}=${value}`);
  }
  assert.throws(
    () => loadConfig({ MONGODB_URL: "http://user:secret@m1/" }),
    (error: Error) => !error.message.includes("secret"),
    "a refused connection string is shown without its credentials",
  );
});

Deno.test("an allowed origin must be an origin, an allowed host a bare host name", () => {
  assert.throws(
    () => loadConfig({ STREAMBOARD_ALLOWED_ORIGINS: "https://ops.example/path" }),
    /STREAMBOARD_ALLOWED_ORIGINS must list origins .* got "https:\/\/ops.example\/path"/,
  );
  assert.throws(
    () => loadConfig({ STREAMBOARD_ALLOWED_HOSTS: "dash.example:8000" }),
    /STREAMBOARD_ALLOWED_HOSTS must list host names without port/,
  );
  assert.throws(
    () => loadConfig({ STREAMBOARD_MAX_RECORD_BYTES: "10" }),
    /STREAMBOARD_MAX_RECORD_BYTES must be a number from 1024/,
  );
});

Deno.test("per-stream settings are read for any stream name, and refused out of range", () => {
  const config = loadConfig({
    STREAMBOARD_TEMPERATURES_LATENESS_MS: "250",
    STREAMBOARD_DEVICE_EVENTS_OUT_OF_ORDER_MS: "10",
    STREAMBOARD_USERS_MAX_FUTURE_MS: "",
  });
  assert.deepEqual(config.streams.allowedLatenessMs, {
    ...DEFAULTS.streams.allowedLatenessMs,
    temperatures: 250,
  });
  assert.deepEqual(config.streams.outOfOrdernessMs, {
    ...DEFAULTS.streams.outOfOrdernessMs,
    device_events: 10,
  });
  assert.deepEqual(
    config.streams.maxFutureMs,
    DEFAULTS.streams.maxFutureMs,
    "an empty variable is unset",
  );
  assert.throws(() => loadConfig({ STREAMBOARD_SALES_LATENESS_MS: "-1" }), {
    name: "SettingError",
    message: `STREAMBOARD_SALES_LATENESS_MS must be a number from 0 to 86400000, got "-1"`,
  });
});

Deno.test("a keyspace or namespace that could inject names is refused", () => {
  assert.throws(
    () => loadConfig({ CASSANDRA_KEYSPACE: "x; DROP KEYSPACE y" }),
    /CASSANDRA_KEYSPACE must start with a letter/,
  );
  assert.throws(
    () => loadConfig({ STREAMBOARD_NAMESPACE: "a b" }),
    /STREAMBOARD_NAMESPACE may hold only/,
  );
});

Deno.test("STREAMBOARD_PRODUCE takes 1/0 and true/false", () => {
  assert.equal(loadConfig({ STREAMBOARD_PRODUCE: "1" }).producer.enabled, true);
  assert.equal(loadConfig({ STREAMBOARD_PRODUCE: "true" }).producer.enabled, true);
  assert.equal(loadConfig({ STREAMBOARD_PRODUCE: "0" }).producer.enabled, false);
  assert.equal(loadConfig({ STREAMBOARD_PRODUCE: "false" }).producer.enabled, false);
});

Deno.test("STREAMBOARD_SEED 0 is a seed, not 'no seed'", () => {
  assert.equal(loadConfig({ STREAMBOARD_SEED: "0" }).producer.seed, 0);
});

Deno.test("an empty STREAMBOARD_WRITE_TOKEN leaves write endpoints without a token", () => {
  assert.equal(
    loadConfig({ STREAMBOARD_WRITE_TOKEN: "" }).web.writeToken,
    undefined,
  );
});

Deno.test("a variable set to the empty string counts as unset, for every setting", () => {
  const names = [
    "STREAMBOARD_MODE",
    "PORT",
    "HOST",
    "STREAMBOARD_DATA_DIR",
    "STREAMBOARD_PRODUCE",
    "STREAMBOARD_WRITE_TOKEN",
    "STREAMBOARD_PARTITIONS",
    "STREAMBOARD_RATE",
    "STREAMBOARD_SEED",
    "STREAMBOARD_BATCH_SIZE",
    "STREAMBOARD_LINGER_MS",
    "STREAMBOARD_FETCH_WAIT_MS",
    "STREAMBOARD_FETCH_MIN_RECORDS",
    "STREAMBOARD_WAL_CHECKPOINTS",
    "STREAMBOARD_PROCESSOR_WORKERS",
    "STREAMBOARD_PRODUCER_BATCH_SIZE",
    "STREAMBOARD_RETENTION_HOURS",
    "STREAMBOARD_POLL_MS",
    "STREAMBOARD_SSE_REPLAY",
    "STREAMBOARD_SSE_CLIENT_BUFFER",
    "STREAMBOARD_SSE_HEARTBEAT_MS",
  ];
  for (const name of names) {
    assert.deepEqual(loadConfig({ [name]: "" }), DEFAULTS, `${name}=""`);
  }
});

Deno.test("a number variable holding only spaces is not read as 0", () => {
  // Number(" ") is 0: PORT=" " would bind a random port and STREAMBOARD_RATE=" " would flood.
  for (const name of ["PORT", "STREAMBOARD_RATE"]) {
    let config;
    try {
      config = loadConfig({ [name]: " " });
    } catch (error) {
      assert.ok(
        error instanceof SettingError,
        `${name}=" " may be refused as a bad setting`,
      );
      continue;
    }
    assert.deepEqual(
      config,
      DEFAULTS,
      `${name}=" " must mean the default, not 0`,
    );
  }
});

Deno.test("bad values are refused with a SettingError naming the variable and the value", () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: "abc" }, `PORT must be a number from 0 to 65535, got "abc"`],
    [{ PORT: "70000" }, `PORT must be a number from 0 to 65535, got "70000"`],
    [{ PORT: "-1" }, `PORT must be a number from 0 to 65535, got "-1"`],
    [{ PORT: "80.5" }, `PORT must be a whole number, got "80.5"`],
    [
      { STREAMBOARD_PRODUCE: "yes" },
      `STREAMBOARD_PRODUCE must be 1 or 0, got "yes"`,
    ],
    [
      { STREAMBOARD_MODE: "cloud" },
      `STREAMBOARD_MODE must be "embedded" or "services", got "cloud"`,
    ],
    [
      { STREAMBOARD_WAL_CHECKPOINTS: "never" },
      `STREAMBOARD_WAL_CHECKPOINTS must be "background" or "inline", got "never"`,
    ],
    [
      { STREAMBOARD_PARTITIONS: "0" },
      `STREAMBOARD_PARTITIONS must be a number from 1 to 1024, got "0"`,
    ],
    [
      { STREAMBOARD_RATE: "-5" },
      `STREAMBOARD_RATE must be a number from 0 to 1000000, got "-5"`,
    ],
    [
      { STREAMBOARD_RATE: "Infinity" },
      `STREAMBOARD_RATE must be a number from 0 to 1000000, got "Infinity"`,
    ],
    [
      { STREAMBOARD_SEED: "abc" },
      `STREAMBOARD_SEED must be a number from 0 to 2147483647, got "abc"`,
    ],
    [
      { STREAMBOARD_SEED: "1.5" },
      `STREAMBOARD_SEED must be a whole number, got "1.5"`,
    ],
    [
      { STREAMBOARD_BATCH_SIZE: "0" },
      `STREAMBOARD_BATCH_SIZE must be a number from 1 to 100000, got "0"`,
    ],
    [
      { STREAMBOARD_RETENTION_HOURS: "0" },
      `STREAMBOARD_RETENTION_HOURS must be a number from 0.01 to 1000000, got "0"`,
    ],
    [
      { STREAMBOARD_SSE_HEARTBEAT_MS: "10" },
      `STREAMBOARD_SSE_HEARTBEAT_MS must be a number from 100 to 3600000, got "10"`,
    ],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig(env),
      { name: "SettingError", message, setting: Object.keys(env)[0] },
      JSON.stringify(env),
    );
  }
});

Deno.test("assertSafeToListen refuses HOST=0.0.0.0 without a write token", () => {
  const config = loadConfig({ HOST: "0.0.0.0" });
  assert.throws(() => assertSafeToListen(config), (error: unknown) => {
    assert.ok(error instanceof SettingError);
    assert.equal(error.setting, "HOST");
    assert.match(error.message, /HOST=0\.0\.0\.0/);
    assert.match(error.message, /STREAMBOARD_WRITE_TOKEN must be set/);
    return true;
  });
});

Deno.test("assertSafeToListen treats an empty write token as no token", () => {
  const config = loadConfig({ HOST: "0.0.0.0", STREAMBOARD_WRITE_TOKEN: "" });
  assert.throws(() => assertSafeToListen(config), SettingError);
});

Deno.test("assertSafeToListen refuses the IPv6 wildcard and LAN addresses without a token", () => {
  for (const host of ["::", "192.168.1.10", "streamboard.example.com"]) {
    assert.throws(
      () => assertSafeToListen(loadConfig({ HOST: host })),
      SettingError,
      host,
    );
  }
});

Deno.test("assertSafeToListen accepts HOST=0.0.0.0 with a write token", () => {
  const config = loadConfig({
    HOST: "0.0.0.0",
    STREAMBOARD_WRITE_TOKEN: "s3cret",
  });
  assert.doesNotThrow(() => assertSafeToListen(config));
});

Deno.test("assertSafeToListen accepts loopback without a token", () => {
  assert.doesNotThrow(() => assertSafeToListen(loadConfig({})));
  assert.doesNotThrow(() => assertSafeToListen(loadConfig({ HOST: "localhost" })));
  assert.doesNotThrow(() => assertSafeToListen(loadConfig({ HOST: "::1" })));
});

Deno.test("isLoopback knows the loopback names and addresses", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert.equal(isLoopback(host), true, host);
  }
});

Deno.test("isLoopback rejects wildcards, LAN addresses and look-alikes", () => {
  for (
    const host of [
      "0.0.0.0",
      "::",
      "",
      "192.168.1.10",
      "10.0.0.1",
      "128.0.0.1",
      "127.0.0.1.evil.example",
      "localhost.evil.example",
      "evil.example",
      "127.0.0",
    ]
  ) {
    assert.equal(isLoopback(host), false, JSON.stringify(host));
  }
});

Deno.test("withConfig changes only the fields it names, keeping the rest of each section", () => {
  const before = structuredClone(DEFAULTS);
  const config = withConfig(
    loadConfig({ STREAMBOARD_WRITE_TOKEN: "s3cret", STREAMBOARD_SEED: "7" }),
    {
      web: { port: 0, writeToken: undefined, allowedHosts: ["dash.example"] },
      producer: { seed: undefined },
      streams: { allowedLatenessMs: { clicks: 250 }, products: { windowMs: 1000 } },
    },
  );
  assert.equal(config.web.port, 0);
  assert.equal(config.web.writeToken, undefined, "a field named as undefined is unset");
  assert.equal(config.producer.seed, undefined);
  assert.deepEqual(config.web.allowedHosts, ["dash.example"], "a list is replaced, not merged");
  assert.equal(config.web.host, DEFAULTS.web.host, "the section's other fields stay");
  assert.deepEqual(config.streams.allowedLatenessMs, {
    ...DEFAULTS.streams.allowedLatenessMs,
    clicks: 250,
  });
  assert.deepEqual(config.streams.products, { windowMs: 1000 });
  assert.deepEqual(config.broker, DEFAULTS.broker, "sections not named stay as they were");
  withConfig(DEFAULTS, { web: { port: 1 }, streams: { allowedLatenessMs: { clicks: 1 } } });
  assert.deepEqual(DEFAULTS, before, "the base is not changed");
});
