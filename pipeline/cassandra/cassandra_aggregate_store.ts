/**
 * The services-mode aggregate store: absolute window values in a Cassandra
 * table (see `schema.cql` for why it is keyed as it is). Sums over partitions
 * and windows are computed here: CQL has no GROUP BY over clustering prefixes
 * that would give them in one query.
 */

import cassandra from "cassandra-driver";
import type {
  AggregatePoint,
  AggregateRow,
  AggregateRowsQuery,
  AggregateSeriesQuery,
  AggregateStore,
  AggregateTotal,
} from "../ports.ts";
import { parseAggregateValue, sumSeries, sumTotals } from "../aggregate_sums.ts";
import { UnavailableError } from "../errors.ts";

const { Client, concurrent, policies, types } = cassandra;

/** First wait before reconnecting to a Cassandra node that went down, ms. */
const RECONNECT_BASE_MS = 500;
/** Longest wait between reconnection attempts, ms: a returning node is used within seconds. */
const RECONNECT_MAX_MS = 2_000;
type CassandraClient = InstanceType<typeof Client>;
type Long = InstanceType<typeof types.Long>;
type Integer = InstanceType<typeof types.Integer>;
/** What this store reads of a result row. */
type Row = { get(column: string): unknown };

/** Settings of `CassandraAggregateStore.connect`. */
export interface CassandraAggregateStoreOptions {
  /** `host` or `host:port` of one or more nodes. */
  contactPoints: string[];
  /** Data center of the nodes to query (e.g. "datacenter1"). */
  localDataCenter: string;
  /** Keyspace, created when missing: a letter, then letters, digits, `_`. */
  keyspace: string;
  /**
   * CQL replication map of a created keyspace, inserted as is (default
   * SimpleStrategy with one replica).
   */
  replication?: string;
  /** TCP connect timeout per node, in ms (default 5000). */
  connectTimeoutMs?: number;
  /** How long a request may wait for its answer, in ms (default 12000). */
  readTimeoutMs?: number;
  /** INSERTs in flight at once while writing rows (default 32). */
  writeConcurrency?: number;
}

/** An `AggregateStore` on Cassandra. */
export class CassandraAggregateStore implements AggregateStore {
  readonly #client: CassandraClient;
  readonly #writeConcurrency: number;
  readonly #cql: {
    insert: string;
    read: string;
    totals: string;
    series: string;
    prune: string;
  };

  private constructor(
    client: CassandraClient,
    keyspace: string,
    writeConcurrency: number,
  ) {
    this.#client = client;
    this.#writeConcurrency = writeConcurrency;
    const table = `${keyspace}.aggregates`;
    this.#cql = {
      insert: `INSERT INTO ${table} (stream, dimension, window_start,
        partition, key, exact_value, source_offset) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      read: `SELECT window_start, key, value, exact_value, source_offset FROM ${table}
        WHERE stream = ? AND dimension = ?
        AND window_start IN ? AND partition = ?`,
      totals: `SELECT key, value, exact_value FROM ${table}
        WHERE stream = ? AND dimension = ?`,
      series: `SELECT window_start, key, value, exact_value FROM ${table}
        WHERE stream = ? AND dimension = ?
        AND window_start >= ? AND window_start < ?`,
      // A range delete on the clustering key: one range tombstone, not one per row.
      prune: `DELETE FROM ${table}
        WHERE stream = ? AND dimension = ? AND window_start < ?`,
    };
  }

  /**
   * Connects, then creates the keyspace and table of `schema.cql` when missing.
   *
   * @throws {RangeError} when the keyspace name is not a plain CQL identifier.
   * @throws {UnavailableError} naming the contact points when no node can be reached.
   * @example
   * const store = await CassandraAggregateStore.connect({
   *   contactPoints: ["127.0.0.1:9042"],
   *   localDataCenter: "datacenter1",
   *   keyspace: "streamboard",
   * });
   */
  static async connect(
    options: CassandraAggregateStoreOptions,
  ): Promise<CassandraAggregateStore> {
    const { contactPoints, keyspace } = options;
    if (!/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(keyspace)) {
      throw new RangeError(
        "Cassandra keyspace must be a letter then up to 47 letters, digits " +
          `or _, got "${keyspace}"`,
      );
    }
    const client = new Client({
      contactPoints,
      localDataCenter: options.localDataCenter,
      socketOptions: {
        connectTimeout: options.connectTimeoutMs ?? 5000,
        readTimeout: options.readTimeoutMs ?? 12_000,
      },
      // The driver's default waits up to 10 minutes between reconnections to a
      // node that went down; a returning Cassandra is used within 2 s instead.
      policies: {
        reconnection: new policies.reconnection.ExponentialReconnectionPolicy(
          RECONNECT_BASE_MS,
          RECONNECT_MAX_MS,
          false,
        ),
      },
      // Every statement is idempotent (absolute values): safe to retry.
      queryOptions: {
        prepare: true,
        isIdempotent: true,
        consistency: types.consistencies.localQuorum,
      },
    });
    try {
      await client.connect();
    } catch (error) {
      await client.shutdown();
      const at = contactPoints.join(",");
      const why = hostErrors(error);
      throw new UnavailableError(
        "Cassandra",
        `cannot connect to Cassandra at ${at}: ${why}`,
        error,
      );
    }
    try {
      const replication = options.replication ??
        "{'class': 'SimpleStrategy', 'replication_factor': 1}";
      for (const statement of await schemaStatements(keyspace, replication)) {
        await client.execute(statement, [], { prepare: false });
      }
    } catch (error) {
      await client.shutdown();
      throw error;
    }
    return new CassandraAggregateStore(
      client,
      keyspace,
      options.writeConcurrency ?? 32,
    );
  }

  async write(rows: AggregateRow[]): Promise<void> {
    if (rows.length === 0) return;
    await concurrent.executeConcurrent(
      this.#client,
      this.#cql.insert,
      rows.map((r) => [
        r.stream,
        r.dimension,
        new Date(r.windowStart),
        r.partition,
        r.key,
        types.Integer.fromString(r.value.toString()),
        types.Long.fromNumber(r.offset),
      ]),
      { concurrencyLevel: this.#writeConcurrency, raiseOnFirstError: true },
    );
  }

  async read(
    { stream, dimension, partition, windowStarts }: AggregateRowsQuery,
  ): Promise<AggregateRow[]> {
    if (windowStarts.length === 0) return [];
    const windows = windowStarts.map((w) => new Date(w));
    const params = [stream, dimension, windows, partition];
    const result = await this.#client.execute(this.#cql.read, params);
    const rows: AggregateRow[] = [];
    for await (const row of result) {
      rows.push({
        stream,
        dimension,
        partition,
        windowStart: (row.get("window_start") as Date).getTime(),
        key: row.get("key") as string,
        value: exactValue(row),
        offset: (row.get("source_offset") as Long).toNumber(),
      });
    }
    return rows;
  }

  async totals(stream: string, dimension: string): Promise<AggregateTotal[]> {
    const params = [stream, dimension];
    const result = await this.#client.execute(this.#cql.totals, params);
    const cells: AggregateTotal[] = [];
    for await (const row of result) {
      cells.push({ key: row.get("key") as string, value: exactValue(row) });
    }
    return sumTotals(cells);
  }

  async series({ stream, dimension, from, to }: AggregateSeriesQuery): Promise<AggregatePoint[]> {
    const params = [stream, dimension, new Date(from), new Date(to)];
    const result = await this.#client.execute(this.#cql.series, params);
    const cells: AggregatePoint[] = [];
    for await (const row of result) {
      cells.push({
        windowStart: (row.get("window_start") as Date).getTime(),
        key: row.get("key") as string,
        value: exactValue(row),
      });
    }
    return sumSeries(cells);
  }

  async prune(stream: string, dimension: string, before: number): Promise<void> {
    await this.#client.execute(this.#cql.prune, [stream, dimension, new Date(before)]);
  }

  close(): Promise<void> {
    return this.#client.shutdown();
  }
}

/** The statements of `schema.cql` for `keyspace`, comments removed. */
async function schemaStatements(
  keyspace: string,
  replication: string,
): Promise<string[]> {
  const file = new URL("./schema.cql", import.meta.url);
  return (await Deno.readTextFile(file))
    .replace(/--.*$/gm, "")
    .replaceAll("{{keyspace}}", keyspace)
    .replaceAll("{{replication}}", replication)
    .split(";")
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "");
}

/** Each host's error: the driver's own message embeds whole stack traces. */
function hostErrors(error: unknown): string {
  const { innerErrors, message } = error as {
    innerErrors?: Record<string, Error>;
    message: string;
  };
  if (!innerErrors) return message;
  return Object.entries(innerErrors)
    .map(([host, e]) => `${host}: ${e.message}`)
    .join("; ");
}

/**
 * A row's exact value: its varint, or for a row written before that column
 * existed, its double (then always a whole number, as every contribution is).
 *
 * @throws {Error} when a legacy double is not finite (a total that had turned
 * into Infinity): no exact total can stand in for it.
 */
function exactValue(row: Row): bigint {
  const exact = row.get("exact_value") as Integer | null;
  if (exact !== null) return parseAggregateValue(exact.toString());
  const legacy = row.get("value") as number | null;
  if (legacy === null || !Number.isFinite(legacy)) {
    throw new Error(
      `aggregate cell ${row.get("key")} holds ${legacy} and no exact value: ` +
        "delete that row or start from a new keyspace",
    );
  }
  return BigInt(Math.round(legacy));
}
