/** The users stream: RandomUser profiles keyed by `login.uuid`. */

import type { BrokerRecord, JsonObject } from "../ports.ts";
import type { StreamDefinition } from "../processor.ts";
import type { User } from "./randomuser.ts";
import { decodeJson, summarize, validateUser } from "./validate.ts";

/** Topics, collection and window of the users stream. */
export const USERS = {
  name: "users",
  topic: "users",
  dlqTopic: "users.dlq",
  liveTopic: "users.live",
  collection: "users",
  windowMs: 60_000,
  group: "streamboard-users",
} as const;

/** Aggregate dimensions of the users stream. */
export const USER_DIMENSIONS = ["gender", "country", "age_band"] as const;

/** The raw document stored for a user: derived fields plus the record as received. */
export function userDocument(user: User, ts: number): JsonObject {
  return {
    ...summarize(user, ts),
    ageBand: user.ageBand,
    nat: user.nat,
    record: user.record as unknown as JsonObject,
  };
}

/** How the processor treats the users stream. */
export const usersStream: StreamDefinition<User> = {
  ...USERS,
  parse: (record: BrokerRecord) => validateUser(decodeJson(record.value), record.timestamp),
  document: (user, record) => ({
    id: user.uuid,
    ts: record.timestamp,
    doc: userDocument(user, record.timestamp),
  }),
  contributions: (user) => [
    { dimension: "gender", key: user.gender, amount: 1 },
    { dimension: "country", key: user.country, amount: 1 },
    { dimension: "age_band", key: user.ageBand, amount: 1 },
  ],
  live: (user, record) => ({ ...summarize(user, record.timestamp) }),
};
