/**
 * The console's messages of a topic: what a browse asks for (read from the
 * query string, every mistake a 400), how it is read through the broker
 * (from an offset, from a time, or the newest), and how a message is shown.
 */

import type { Broker, BrokerRecord, Headers, Json, TopicDescription } from "../pipeline/ports.ts";
import { HttpError, json } from "./http_error.ts";
import type { RouteContext } from "./app.ts";
import { queryInt } from "./query_int.ts";
import { InvalidFilterError, type MessageFilter, parseFilter } from "./message_filter.ts";

/** Most messages one browse returns. */
export const MAX_MESSAGES = 500;
/** Messages a browse returns when `limit` is not given. */
export const DEFAULT_MESSAGES = 50;
/** Most records a filtered browse reads per partition looking for matches. */
export const MAX_SCANNED = 10_000;
/** Records read from the broker at a time. */
const CHUNK = 500;

/** A message as the console shows it. */
export interface ConsoleMessage {
  partition: number;
  offset: number;
  /** ISO 8601 time of the record. */
  timestamp: string;
  key: string | null;
  headers: Headers;
  /** How `value` is given: parsed JSON, UTF-8 text, or base64 of bytes that are not UTF-8. */
  valueType: "json" | "text" | "base64";
  value: Json;
}

/** What a browse reads. */
export interface MessageQuery {
  /** One partition, or all when `undefined`. */
  partition?: number;
  /** From this offset on (needs `partition`). */
  offset?: number;
  /** From the first record at or after this time, ms since the epoch. */
  from?: number;
  limit: number;
  filter: MessageFilter;
}

/**
 * Reads a browse from the query string of `/api/console/topics/<topic>/messages`;
 * the newest messages when neither `offset` nor `from` is given.
 *
 * @throws {HttpError} 400 naming the parameter and what is wrong with it
 */
export function parseMessageQuery(params: URLSearchParams, topic: TopicDescription): MessageQuery {
  const count = topic.partitions.length;
  const has = (name: string) => params.has(name) && params.get(name) !== "";
  const partition = has("partition")
    ? queryInt(params, "partition", { min: 0, max: count - 1, fallback: 0 })
    : undefined;
  const offset = has("offset")
    ? queryInt(params, "offset", { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 })
    : undefined;
  let from: number | undefined;
  if (has("from")) {
    const text = params.get("from")!;
    // A time needs its zone: one without would be read in the server's zone.
    from = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d))?$/.test(text)
      ? Date.parse(text)
      : NaN;
    if (Number.isNaN(from)) {
      throw new HttpError(
        400,
        `from must be an ISO 8601 date or time with its zone, such as 2025-01-31T12:00:00Z, got ${
          JSON.stringify(text.slice(0, 40))
        }`,
      );
    }
  }
  if (offset !== undefined && from !== undefined) {
    throw new HttpError(400, "give offset or from, not both");
  }
  if (offset !== undefined && partition === undefined) {
    throw new HttpError(400, "offset needs a partition: offsets are per partition");
  }
  const limit = queryInt(params, "limit", {
    min: 1,
    max: MAX_MESSAGES,
    fallback: DEFAULT_MESSAGES,
  });
  let filter: MessageFilter;
  try {
    filter = parseFilter(params.get("filter") ?? "");
  } catch (error) {
    if (error instanceof InvalidFilterError) throw new HttpError(400, `filter: ${error.message}`);
    throw error;
  }
  return { partition, offset, from, limit, filter };
}

/** The topic named `name`, or a 404 saying there is none. */
export async function describedTopic(broker: Broker, name: string): Promise<TopicDescription> {
  const found = (await broker.describeTopics()).find((t) => t.name === name);
  if (!found) throw new HttpError(404, `no topic "${name}"`);
  return found;
}

/**
 * The messages a browse asks for, ordered by time (then partition and
 * offset): from an offset or a time, the first `limit` that match from there;
 * otherwise the newest `limit` that match.
 */
export async function browseMessages(
  broker: Broker,
  topic: TopicDescription,
  query: MessageQuery,
): Promise<ConsoleMessage[]> {
  const partitions = topic.partitions.filter((p) =>
    query.partition === undefined || p.partition === query.partition
  );
  const newest = query.offset === undefined && query.from === undefined;
  const found = await Promise.all(partitions.map(async ({ partition, low, high }) => {
    const read = { broker, topic: topic.name, partition, query };
    if (newest) return await scanBackward(read, { low, high });
    const start = query.offset ??
      await broker.offsetForTime({ topic: topic.name, partition, timestamp: query.from! });
    return await scanForward(read, { start, high });
  }));
  const merged = found.flat().sort(byTime);
  return (newest ? merged.slice(-query.limit) : merged.slice(0, query.limit)).map(toConsoleMessage);
}

interface PartitionRead {
  broker: Broker;
  topic: string;
  partition: number;
  query: MessageQuery;
}

/** Matches from `start` on, up to `limit` of them or `MAX_SCANNED` read. */
async function scanForward(
  { broker, topic, partition, query }: PartitionRead,
  { start, high }: { start: number; high: number },
): Promise<BrokerRecord[]> {
  const matches: BrokerRecord[] = [];
  let offset = start;
  while (matches.length < query.limit && offset < high && offset - start < MAX_SCANNED) {
    const records = await broker.read({ topic, partition, offset, limit: CHUNK });
    if (records.length === 0) break;
    matches.push(...records.filter((r) => matchesQuery(query, r)));
    offset = records[records.length - 1].offset + 1;
  }
  return matches.slice(0, query.limit);
}

/** The newest `limit` matches before `high`, reading back at most `MAX_SCANNED`. */
async function scanBackward(
  { broker, topic, partition, query }: PartitionRead,
  { low, high }: { low: number; high: number },
): Promise<BrokerRecord[]> {
  let matches: BrokerRecord[] = [];
  let end = high;
  while (matches.length < query.limit && end > low && high - end < MAX_SCANNED) {
    const start = Math.max(low, end - CHUNK);
    const records = (await broker.read({ topic, partition, offset: start, limit: end - start }))
      .filter((r) => r.offset < end);
    matches = [...records.filter((r) => matchesQuery(query, r)), ...matches];
    end = start;
  }
  return matches.slice(-query.limit);
}

function byTime(a: BrokerRecord, b: BrokerRecord): number {
  return a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A record's value as the console gives it. */
export function decodeValue(bytes: Uint8Array): Pick<ConsoleMessage, "valueType" | "value"> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { valueType: "base64", value: base64(bytes) };
  }
  try {
    return { valueType: "json", value: JSON.parse(text) as Json };
  } catch {
    return { valueType: "text", value: text };
  }
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  // In slices: one spread of a large value would overflow the call stack.
  for (let i = 0; i < bytes.length; i += 8192) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(binary);
}

/** Whether `record` is in `query`'s partition (when it names one) and passes its filter. */
export function matchesQuery(query: MessageQuery, record: BrokerRecord): boolean {
  return (query.partition === undefined || record.partition === query.partition) &&
    query.filter(filterable(record));
}

function filterable(record: BrokerRecord) {
  const decoded = decodeValue(record.value);
  return {
    key: record.key,
    headers: record.headers,
    json: decoded.valueType === "json" ? decoded.value : undefined,
    text: decoded.valueType === "json" ? JSON.stringify(decoded.value) : String(decoded.value),
  };
}

/** A broker record as the console shows it. */
export function toConsoleMessage(record: BrokerRecord): ConsoleMessage {
  return {
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(record.timestamp).toISOString(),
    key: record.key,
    headers: record.headers,
    ...decodeValue(record.value),
  };
}

/** Messages as NDJSON: one JSON object per line. */
export function toNdjson(messages: readonly ConsoleMessage[]): string {
  return messages.map((m) => `${JSON.stringify(m)}\n`).join("");
}

/**
 * The response of a browse of `ctx.params.topic` by `ctx.url`'s query: JSON,
 * or NDJSON as a download.
 */
export async function messagesResponse(ctx: RouteContext, ndjson: boolean): Promise<Response> {
  const topic = await describedTopic(ctx.state.broker, ctx.params.topic);
  const query = parseMessageQuery(ctx.url.searchParams, topic);
  const messages = await browseMessages(ctx.state.broker, topic, query);
  if (!ndjson) return json(messages);
  const file = `${topic.name.replace(/[^\w.-]/g, "_")}-messages.ndjson`;
  return new Response(toNdjson(messages), {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${file}"`,
    },
  });
}

/** A test message to produce, as `POST /api/console/topics/<topic>/messages` takes it. */
export interface TestMessage {
  key: string | null;
  headers: Headers;
  /** The JSON value, produced as its JSON text. */
  value: Json;
}

/** Longest key, header name or header value of a test message, in characters. */
const MAX_TEXT = 1000;

/**
 * Reads a test message from a request body `{ key, headers, value }`.
 *
 * @throws {HttpError} 400 naming the field that is wrong
 */
export function parseTestMessage(body: unknown): TestMessage {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, 'send a JSON object { "key", "headers", "value" }');
  }
  const { key = null, headers = {}, value } = body as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !["key", "headers", "value"].includes(k));
  if (unknown.length > 0) {
    throw new HttpError(400, `unknown field ${unknown[0]}; a message has key, headers and value`);
  }
  if (key !== null && (typeof key !== "string" || key.length > MAX_TEXT)) {
    throw new HttpError(400, `key must be text of at most ${MAX_TEXT} characters, or null`);
  }
  if (headers === null || typeof headers !== "object" || Array.isArray(headers)) {
    throw new HttpError(400, "headers must be an object of text values");
  }
  for (const [name, text] of Object.entries(headers)) {
    if (
      typeof text !== "string" || name === "" || name.length > MAX_TEXT || text.length > MAX_TEXT
    ) {
      throw new HttpError(
        400,
        `header ${
          JSON.stringify(name.slice(0, 40))
        } must have a name and a text value of at most ${MAX_TEXT} characters`,
      );
    }
  }
  if (value === undefined) throw new HttpError(400, "value is missing; send any JSON value");
  return { key: key as string | null, headers: headers as Headers, value: value as Json };
}
