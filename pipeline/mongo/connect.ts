/** Connecting to MongoDB (or FerretDB) with errors that name the server. */

import { MongoClient } from "mongodb";
import { UnavailableError } from "../errors.ts";

/** Timeouts of a MongoDB connection. */
export interface MongoConnectOptions {
  /** How long to look for a server before failing, in ms (default 5000). */
  serverSelectionTimeoutMS?: number;
  /** TCP connect timeout, in ms (default 5000). */
  connectTimeoutMS?: number;
}

/**
 * A client connected to `url`.
 *
 * @throws {UnavailableError} naming the server (without credentials) when it cannot be reached in time.
 */
export async function connectMongo(
  url: string,
  options: MongoConnectOptions = {},
): Promise<MongoClient> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    connectTimeoutMS: options.connectTimeoutMS ?? 5000,
    // A returning server is noticed within 2 s (the driver's default checks every 10 s).
    heartbeatFrequencyMS: 2000,
  });
  try {
    await client.connect();
  } catch (error) {
    await client.close();
    const at = url.replace(/\/\/[^@/]*@/, "//"); // without credentials
    const why = (error as Error).message;
    throw new UnavailableError("MongoDB", `cannot connect to MongoDB at ${at}: ${why}`, error);
  }
  return client;
}
