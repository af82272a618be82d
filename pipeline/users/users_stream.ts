/** The users stream: RandomUser profiles keyed by `login.uuid`. */

import type { Config } from "../../config.ts";
import type { BrokerRecord, JsonObject } from "../ports.ts";
import type { StreamDefinition } from "../processor.ts";
import type { User } from "./randomuser.ts";
import { summarize, validateUser } from "./validate.ts";
import { decodeJson } from "../validation.ts";
import { globalWindow, NOTHING } from "../windowing/windows.ts";
import { byEventId } from "../dedup.ts";
import { withoutLoginSecrets } from "./login_secrets.ts";

/** Topics, collection and group of the users stream. */
export const USERS = {
  name: "users",
  topic: "users",
  dlqTopic: "users.dlq",
  liveTopic: "users.live",
  collection: "users",
  group: "streamboard-users",
} as const;

/** How dead-letter reasons name the users stream's event time: the broker record's own timestamp. */
export const RECORD_TIMESTAMP = "(record timestamp)";

/**
 * Users each partition's read model keeps, newest first: the dashboard's
 * list, `/last_user` and the first page of `/users` (at its default size)
 * read them there instead of querying the raw store.
 */
export const NEWEST_KEPT = 50;

/** Aggregate dimensions of the users stream. */
export const USER_DIMENSIONS = ["gender", "country", "age_band"] as const;

/** How a user's record is kept in its stored document. */
export interface UserDocumentOptions {
  /** Keep the `login` secrets (default: left out). */
  keepLoginSecrets?: boolean;
  /**
   * `text` (default): the record as JSON text, which costs document stores
   * far less than a deep object (FerretDB writes such documents about three
   * times faster). `object`: the record as it is, for a store that writes the
   * whole document as JSON text itself (embedded SQLite), where text inside
   * it would be encoded twice: twice the CPU and an escaped copy on disk.
   */
  recordAs?: "text" | "object";
}

/**
 * The raw document stored for a user: the derived fields the dashboard reads
 * and queries, plus the record as received (see `UserDocumentOptions`).
 */
export function userDocument(
  user: User,
  ts: number,
  options: UserDocumentOptions = {},
): JsonObject {
  const record = options.keepLoginSecrets ? user.record : withoutLoginSecrets(user.record);
  return {
    ...summarize(user, ts),
    ageBand: user.ageBand,
    nat: user.nat,
    // The record is what `JSON.parse` made of the record's bytes: JSON through and through.
    record: options.recordAs === "object"
      ? record as unknown as JsonObject
      : JSON.stringify(record),
  };
}

/** The RandomUser record of a stored user document, as an object. */
export function storedRecord(doc: JsonObject): JsonObject {
  const record = doc.record;
  if (typeof record === "string") return JSON.parse(record) as JsonObject;
  return (record ?? {}) as JsonObject;
}

/**
 * A stored user document as the API returns it: the record as an object
 * again, without its `login` secrets even when the store kept them.
 */
export function userForApi(doc: JsonObject): JsonObject {
  return { ...doc, record: withoutLoginSecrets(storedRecord(doc)) };
}

/** A validated user and when its record was produced (its event time). */
export type ReceivedUser = User & { receivedAt: number };

/**
 * A user's event id: its `login.uuid` in lower case, so a resend with the
 * uuid in another case is the same user.
 */
export function userId(uuid: string): string {
  return uuid.toLowerCase();
}

/**
 * How the processor treats the users stream. Its event time is the record's
 * timestamp (when it was produced); its figures are all-time counts, so a
 * user of any past time counts (the global window never fires) and one too
 * far ahead of the clock is refused. A user is
 * identified by its lower-cased uuid: its document id, and its event id, so a
 * resent user is stored and counted once.
 */
export function usersStream(config: Config): StreamDefinition<ReceivedUser, null> {
  return {
    ...USERS,
    parse: (record: BrokerRecord) => {
      const user = validateUser(decodeJson(record.value), record.timestamp);
      return { ...user, uuid: userId(user.uuid), receivedAt: record.timestamp };
    },
    document: (user, record) => ({
      id: user.uuid,
      ts: record.timestamp,
      doc: userDocument(user, record.timestamp, {
        keepLoginSecrets: config.streams.users.keepLoginSecrets,
        // SQLite stores each document as JSON text: the record inside it is encoded once.
        recordAs: config.mode === "embedded" ? "object" : "text",
      }),
    }),
    // All-time cells: the dashboard reads totals, which then stay one row per key and partition.
    contributions: (user) => [
      { dimension: "gender", key: user.gender, amount: 1 },
      { dimension: "country", key: user.country, amount: 1 },
      { dimension: "age_band", key: user.ageBand, amount: 1 },
    ],
    live: (user, record) => ({ ...summarize(user, record.timestamp) }),
    dedup: byEventId((user) => user.uuid, config.stores),
    newest: NEWEST_KEPT,
    windows: {
      spec: globalWindow({
        outOfOrdernessMs: config.streams.outOfOrdernessMs.users,
        allowedLatenessMs: config.streams.allowedLatenessMs.users,
        idleTimeoutMs: config.processor.idleTimeoutMs,
        maxFutureMs: config.streams.maxFutureMs.users,
      }),
      eventTime: (user) => user.receivedAt,
      timeField: RECORD_TIMESTAMP,
      aggregation: NOTHING,
    },
  };
}
