/**
 * Hostile input for the operations console's endpoints: topic, stream and
 * group names in the path, the browse parameters (`partition`, `offset`,
 * `from`, `limit`, `filter`, `format`), the dead-letter list's (`reason`,
 * `from`, `to`, `limit`, `cursor`), `Last-Event-ID`s for the live streams,
 * and the bodies of the two console writes (a test message, a replay). Each
 * part says why the server must refuse it, when it must. Pure: every choice
 * comes from the seeded `Random` passed in.
 */

import type { Random } from "../pipeline/random.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { MAX_FILTER_LENGTH } from "../server/message_filter.ts";
import { MAX_MESSAGES } from "../server/console_messages.ts";
import { MAX_PER_REQUEST } from "../server/dead_letters.ts";
import { deepNesting, hostileNumberText, hostileString, pollution } from "./hostile_values.ts";

/** Endpoints that browse a topic's messages and read the browse parameters. */
const BROWSES = [
  "/api/console/topics/:topic/messages",
  "/api/console/topics/:topic/messages.ndjson",
  "/api/console/topics/:topic/tail",
];

/** The live (SSE) endpoints. */
export const LIVE_ENDPOINTS: readonly string[] = [
  "/api/stream/:page",
  "/api/console/topics/:topic/tail",
];

/** The console's write endpoints, with the method that writes. */
export const CONSOLE_WRITES: Readonly<Record<string, string>> = {
  "/api/console/topics/:topic/messages": "POST",
  "/api/console/dead-letters/:stream/replay": "POST",
};

/** The console's endpoints, fuzzed on an app whose users topic has dead letters to replay. */
export const CONSOLE_ENDPOINTS: readonly string[] = [
  "/api/console/topics",
  ...BROWSES,
  "/api/console/dead-letters/:stream",
  "/api/console/dead-letters/:stream/replay",
  "/api/console/groups",
  "/api/console/groups/:group",
  "/console/topics/:topic",
];

/** A value of the record that holds a long run of digits, which a number pattern may choke on. */
const DIGIT_RUN = `{"n":"${"1".repeat(4_000)}x","m":${"9".repeat(2_000)}}`;

/** Topic, stream and group names for the path: real ones, unknown ones and hostile ones. */
export function consolePath(random: Random, endpoint: string): string {
  const hostile = ["__proto__", "constructor", "%ff", "..%2f..%2fdeno.json", "a".repeat(300)]
    .concat(["%20", ""]);
  const unknown = ["sales", "no-such-topic", "USERS", "users%00"];
  const topics = [...Array(12).fill(USERS.topic), ...Array(8).fill(USERS.dlqTopic), ...unknown];
  const streams = [...Array(10).fill("users"), "sales", "clicks", "USERS", "nope"];
  const groups = [...Array(6).fill(USERS.group), "no-such-group"];
  return endpoint
    .replace(":topic", () => random.pick([...topics, ...hostile]))
    .replace(":stream", () => random.pick([...streams, ...hostile]))
    .replace(":group", () => random.pick([...groups, ...hostile]));
}

/** A query string and why it must be refused (when it must). */
export interface HostileQuery {
  query: string;
  /** What was done, for the report of a finding. */
  mutations: string[];
  /** Why the server must answer 4xx; empty when it may accept it. */
  refusals: string[];
}

const PLAIN = /^\d{1,15}$/;

/** A hostile query string for a console endpoint (`undefined` for the others). */
export function consoleQuery(random: Random, endpoint: string): HostileQuery | undefined {
  const pairs: Array<[string, string]> = [];
  const add = (name: string, chance: number, values: () => string) => {
    if (random.next() < chance) pairs.push([name, values()]);
  };
  if (BROWSES.includes(endpoint) || endpoint === "/console/topics/:topic") {
    add("partition", 0.35, () => random.pick(PARTITIONS));
    add("offset", 0.25, () => random.pick(OFFSETS));
    add("from", 0.25, () => random.pick(TIMES));
    add("limit", 0.4, () => random.pick(LIMITS));
    add("filter", 0.6, () => hostileFilter(random));
    add("format", 0.1, () => random.pick(["ndjson", "json", "x"]));
  } else if (endpoint === "/api/console/dead-letters/:stream") {
    add("reason", 0.3, () => random.pick(REASONS));
    add("from", 0.25, () => random.pick(TIMES));
    add("to", 0.25, () => random.pick(TIMES));
    add("limit", 0.4, () => random.pick(LIMITS));
    add("cursor", 0.3, () => random.pick(CURSORS));
  } else if (endpoint === "/api/console/groups") {
    add("history", 0.6, () => random.pick(["0", "1", "2", "", "true", "01", "1e0", "%00"]));
  } else if (LIVE_ENDPOINTS.includes(endpoint)) {
    add("lastEventId", 0.3, () => random.pick(LAST_EVENT_IDS));
  } else if (!(endpoint in CONSOLE_WRITES) && endpoint !== "/api/console/topics") {
    return undefined;
  }
  add(random.pick(["x", "cursor", "__proto__[polluted]", "limit"]), 0.1, () => "garbage");
  if (random.next() < 0.05) {
    const [name, value] = random.pick(pairs.length > 0 ? pairs : [["limit", "5"]]);
    pairs.push([name, value]);
  }
  const query = pairs.map(([k, v]) =>
    `${k}=${v.startsWith("%") ? v : encodeURIComponent(v.toWellFormed())}`
  )
    .join("&");
  return {
    query,
    mutations: pairs.map(([k, v]) => `${k}=${JSON.stringify(v.slice(0, 40))}`),
    refusals: queryRefusals(endpoint, pairs),
  };
}

/** Why a console endpoint must refuse these parameters, per its documented rules. */
function queryRefusals(endpoint: string, pairs: Array<[string, string]>): string[] {
  const refusals: string[] = [];
  const values = (name: string) => pairs.filter(([k]) => k === name).map(([, v]) => v);
  const plainOnce = (name: string, max: number) => {
    const given = values(name);
    if (given.length > 1) refusals.push(`${name} given ${given.length} times`);
    const [text] = given;
    if (given.length === 1 && !(PLAIN.test(text) && Number(text) <= max)) {
      refusals.push(`${name} ${JSON.stringify(text.slice(0, 20))} is no plain decimal to ${max}`);
    }
  };
  if (BROWSES.includes(endpoint)) {
    plainOnce("limit", MAX_MESSAGES);
    if (values("limit")[0] === "0") refusals.push("limit 0");
    for (const name of ["partition", "offset"]) {
      const [text] = values(name);
      if (text !== undefined && text !== "" && !PLAIN.test(text)) {
        refusals.push(`${name} ${JSON.stringify(text.slice(0, 20))} is no plain decimal`);
      }
    }
    const filter = values("filter")[0] ?? "";
    if (filter.length > MAX_FILTER_LENGTH) refusals.push(`a filter of ${filter.length} characters`);
    if (endpoint.endsWith("/tail") && values("offset").concat(values("from")).some((v) => v)) {
      refusals.push("offset or from on a tail");
    }
  } else if (endpoint === "/api/console/dead-letters/:stream") {
    const known = ["reason", "from", "to", "limit", "cursor"];
    const unknown = pairs.find(([k]) => !known.includes(k));
    if (unknown) refusals.push(`unknown parameter ${unknown[0]}`);
    plainOnce("limit", MAX_PER_REQUEST);
    if (values("limit")[0] === "0") refusals.push("limit 0");
    const cursors = values("cursor");
    if (cursors.length > 1 || cursors.some((c) => !/^\d{1,9}\/\d{1,15}$/.test(c))) {
      refusals.push("a cursor no list gave out");
    }
  } else if (endpoint === "/api/console/groups") {
    const history = values("history");
    if (history.length === 1 && history[0] !== "0" && history[0] !== "1") {
      refusals.push(`history ${JSON.stringify(history[0])}`);
    }
  }
  return refusals;
}

const PARTITIONS = ["0", "1", "3", "4", "", "-1", "0x1", "1e0", " 1", "+1", "1.0", "٣", "NaN"]
  .concat(["99999999999999999999", "00000000000000000001"]);
const OFFSETS = ["0", "3", "9007199254740991", "9007199254740992", "1000000000", "-5", "0x10"]
  .concat(["", "1e3", "99999999999999999999999"]);
const LIMITS = ["1", "50", "500", "501", "0", "1000000000", "-1", "1e2", "0x10", "", "5abc"];
const TIMES = [
  "2025-01-31T12:00:00Z",
  "2025-01-31",
  "2025-01-31T12:00:00",
  "2025-01-31T12:00:00.123456789+05:30",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00Z",
  "2025-13-45T99:99:99Z",
  "1738324800000",
  "+275760-09-13T00:00:00Z",
  "garbage",
  "",
  "2025-01-31T12:00:00Z&&x",
];
const REASONS = ["invalid", "late", "processing-error", "duplicate", "", "a".repeat(1001), "%00"];
const CURSORS = ["0/0", "3/5", "999999999/999999999999999", "-1/0", "0", "x/y", "1/1/1", ""];
const LAST_EVENT_IDS = [
  "0",
  "1",
  "-1",
  "99999999999999999999",
  "1.5",
  "1e9",
  "abc",
  "",
  "%00",
  "0".repeat(5_000),
  "9".repeat(400),
  "1:2",
  "caf\u00e9",
];

/** A `Last-Event-ID` a reconnecting client may send, or an attacker. */
export function hostileLastEventId(random: Random): string {
  return random.pick(LAST_EVENT_IDS);
}

/** Filters: valid ones, long, many-claused, unbalanced, prototype paths, numbers to choke on. */
function hostileFilter(random: Random): string {
  return random.pick<() => string>([
    () => random.pick(["key=x", "name~a", "n>1", "m>=1", "m<1e400", "header.k=v", "value~ab"]),
    () => random.pick(["results.0.login.password~a", "a.b.c!=1", "value=null", "n>1 && m<2"]),
    () => `n>${random.pick(["1", "1e308", "-0", ".5", "1.", "0x10", "Infinity", "9".repeat(450)])}`,
    () => `n~${"1".repeat(random.int(100, MAX_FILTER_LENGTH - 3))}`,
    () => `n=${"1".repeat(random.int(MAX_FILTER_LENGTH - 1, 5_000))}`,
    () => Array.from({ length: random.int(11, 40) }, (_, i) => `f${i}=1`).join(" && "),
    () => Array.from({ length: 10 }, () => "value~a").join("&&"),
    () => random.pick(['"', 'n="open', "&&", "&&&&", "=", ">1", "n>", "n>x", "a..b=1", ".a=1"]),
    () => random.pick(["__proto__.polluted=1", "constructor.name=Object", "__proto__=x"]),
    () => `${"a.".repeat(random.int(50, 240))}b=1`,
    () => random.pick(["(a+)+$", ".*.*.*=x", "n~\u0000", "n~\ud800", "n~🙂", "key=\r\n"]),
    () => `n${" ".repeat(random.int(10, 400))}`,
    () => hostileString(random).slice(0, 600),
  ])();
}

/** A test message body for `POST …/messages` and why it must be refused, when it must. */
export function hostileTestMessage(
  random: Random,
): { text: string; what: string; refuse?: string } {
  const value = () =>
    random.pick<() => string>([
      () => '{"n":"12","m":3,"name":"a"}',
      () => DIGIT_RUN,
      () => hostileNumberText(random),
      () => JSON.stringify(hostileString(random).slice(0, 2_000)),
      () => pollution(random),
      () => deepNesting(random, random.int(10, 200)),
      () => "null",
      () => '{"results":[{"login":{"password":"x"}}]}',
    ])();
  const [what, text, refuse] = random.pick<() => [string, string, string?]>([
    () => ["a valid message", `{"key":"k","headers":{"k":"v"},"value":${value()}}`],
    () => ["a value alone", `{"value":${value()}}`],
    () => ["a null key", `{"key":null,"value":${value()}}`],
    () => ["no value", `{"key":"k"}`, "no value"],
    () => ["a numeric key", `{"key":1,"value":1}`, "a key that is no text"],
    () => ["a long key", `{"key":"${"k".repeat(1001)}","value":1}`, "a key of 1001 characters"],
    () => ["an array of headers", `{"headers":[1],"value":1}`, "headers that are no object"],
    () => ["a numeric header", `{"headers":{"a":1},"value":1}`, "a header value that is no text"],
    () => ["an empty header name", `{"headers":{"":"v"},"value":1}`, "an empty header name"],
    () => ["an unknown field", `{"value":1,"topic":"users"}`, "an unknown field"],
    () => ["a __proto__ field", `{"value":1,"__proto__":{"polluted":1}}`, "an unknown field"],
    () => ["an array", `[{"value":1}]`, "no object"],
    () => ["a huge value", `{"value":"${"x".repeat(70_000)}"}`, "a body over 64 KiB"],
  ])();
  return refuse === undefined ? { text, what } : { text, what, refuse };
}

/** A replay body and why it must be refused, when it must; `positions` are real dead letters. */
export function hostileReplay(
  random: Random,
  positions: ReadonlyArray<{ partition: number; offset: number }>,
): { text: string; what: string; refuse?: string } {
  const real = () => random.pick(positions.length > 0 ? positions : [{ partition: 0, offset: 0 }]);
  const [what, text, refuse] = random.pick<() => [string, string, string?]>([
    () => ["a real position", JSON.stringify({ offsets: [real()] })],
    () => ["real positions", JSON.stringify({ offsets: [real(), real(), real()] })],
    () => ["an unknown position", `{"offsets":[{"partition":0,"offset":999999}]}`],
    () => ["a partition past the last", `{"offsets":[{"partition":999,"offset":0}]}`],
    () => ["a reason filter", `{"reason":"${random.pick(["invalid", "late", "x"])}"}`],
    () => ["a time filter", `{"from":"2020-01-01T00:00:00Z","to":"2999-01-01T00:00:00Z"}`],
    () => ["a filter and a cursor", `{"reason":"invalid","cursor":"0/1"}`],
    () => ["a negative offset", `{"offsets":[{"partition":0,"offset":-1}]}`, "offset -1"],
    () => ["a fractional offset", `{"offsets":[{"partition":0,"offset":1.5}]}`, "offset 1.5"],
    () => ["a huge offset", `{"offsets":[{"partition":0,"offset":1e308}]}`, "offset 1e308"],
    () => ["a text offset", `{"offsets":[{"partition":"0","offset":"1"}]}`, "text offsets"],
    () => ["no offsets", `{"offsets":[]}`, "an empty list"],
    () => [
      "too many offsets",
      JSON.stringify({ offsets: Array.from({ length: MAX_PER_REQUEST + 1 }, real) }),
      `${MAX_PER_REQUEST + 1} offsets`,
    ],
    () => ["offsets and a filter", `{"offsets":[{"partition":0,"offset":0}],"reason":"x"}`, "both"],
    () => ["a cursor alone", `{"cursor":"0/1"}`, "nothing named to replay"],
    () => ["a bad cursor", `{"reason":"x","cursor":"x"}`, "a cursor no list gave out"],
    () => ["an empty object", "{}", "nothing named to replay"],
    () => [
      "from after to",
      `{"from":"2030-01-01T00:00:00Z","to":"2020-01-01T00:00:00Z"}`,
      "from>to",
    ],
    () => ["an extra key", `{"offsets":[{"partition":0,"offset":0,"x":1}]}`, "an extra key"],
    () => ["a prototype key", `{"__proto__":{"offsets":[]},"reason":"x"}`, "an unknown field"],
  ])();
  return refuse === undefined ? { text, what } : { text, what, refuse };
}
