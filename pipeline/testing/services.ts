/**
 * Where the services tests find Kafka, MongoDB and Cassandra, and what they
 * do when a server is not there: skip (a laptop without servers) or fail
 * (CI, with `REQUIRE_SERVICES=1`, so they can never silently skip).
 */

const env = (name: string, fallback: string) => Deno.env.get(name) || fallback;
const list = (name: string, fallback: string) => env(name, fallback).split(",");

/** Kafka bootstrap addresses, from `KAFKA_BROKERS` (comma-separated). */
export const KAFKA_BROKERS = list("KAFKA_BROKERS", "127.0.0.1:9092");
/** MongoDB (or FerretDB) connection string, from `MONGODB_URL`. */
export const MONGODB_URL = env("MONGODB_URL", "mongodb://127.0.0.1:27017/");
/** Cassandra nodes, from `CASSANDRA_CONTACT_POINTS` (comma-separated). */
export const CASSANDRA_CONTACT_POINTS = list(
  "CASSANDRA_CONTACT_POINTS",
  "127.0.0.1:9042",
);
/** Cassandra's local data center, from `CASSANDRA_DC`. */
export const CASSANDRA_DC = env("CASSANDRA_DC", "datacenter1");

/** A server the services tests need, and the first address to probe. */
export interface Service {
  name: string;
  /** `host:port`. */
  address: string;
}

/** How long a reachability probe waits for a TCP connection, in ms. */
const PROBE_MS = 1000;

/**
 * Registers the tests of `service` by calling `register`, when the server
 * accepts TCP connections. Otherwise registers one test that fails naming the
 * server (with `REQUIRE_SERVICES=1`) or is ignored, and prints a note.
 */
export async function withService(
  service: Service,
  register: () => void,
): Promise<void> {
  const { name, address } = service;
  const problem = await probe(address);
  if (problem === undefined) return register();
  const what = `${name} is not reachable at ${address} (${problem})`;
  const start = "start it with `deno task services:up`";
  if (Deno.env.get("REQUIRE_SERVICES") === "1") {
    Deno.test(`${name} services tests: server reachable`, () => {
      throw new Error(`${what}; REQUIRE_SERVICES=1 requires it: ${start}`);
    });
    return;
  }
  console.log(`skipping ${name} services tests: ${what}; ${start}`);
  Deno.test({
    name: `${name} services tests (skipped: no server at ${address})`,
    ignore: true,
    fn() {},
  });
}

/** `address` with `defaultPort` appended when it names no port. */
export function withPort(address: string, defaultPort: number): string {
  return /:\d+$/.test(address) ? address : `${address}:${defaultPort}`;
}

/** The first server address of a MongoDB connection string, `host:port`. */
export function mongoAddress(url: string): string {
  const hosts = url.replace(/^mongodb(\+srv)?:\/\//, "").split(/[/?]/)[0];
  return withPort(hosts.slice(hosts.lastIndexOf("@") + 1).split(",")[0], 27017);
}

/** `undefined` when `address` accepts a TCP connection, else why not. */
async function probe(address: string): Promise<string | undefined> {
  const colon = address.lastIndexOf(":");
  const hostname = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(address.slice(colon + 1));
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => controller.abort(), PROBE_MS);
  try {
    (await Deno.connect({ hostname, port, signal })).close();
    return undefined;
  } catch (error) {
    return signal.aborted ? `no answer in ${PROBE_MS} ms` : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Registers tests that need all three servers, as `withService` does for one. */
export function withAllServices(register: () => void): Promise<void> {
  return withService(
    { name: "Kafka", address: KAFKA_BROKERS[0] },
    () =>
      withService(
        { name: "MongoDB", address: mongoAddress(MONGODB_URL) },
        () => withService({ name: "Cassandra", address: CASSANDRA_CONTACT_POINTS[0] }, register),
      ),
  );
}

/**
 * Environment of a StreamBoard process in services mode on topics, a
 * database and a keyspace of its own, with the built-in generators off.
 */
export function isolatedServicesEnv(prefix: string): Record<string, string> {
  const run = crypto.randomUUID().slice(0, 8);
  return {
    STREAMBOARD_MODE: "services",
    STREAMBOARD_NAMESPACE: `${prefix}-${run}.`,
    MONGODB_DB: `${prefix}_${run}`,
    CASSANDRA_KEYSPACE: `${prefix}_${run}`,
    STREAMBOARD_PRODUCE: "0",
  };
}
