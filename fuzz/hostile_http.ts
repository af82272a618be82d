/**
 * Hostile HTTP requests for each endpoint of the app: odd methods, paths with
 * every traversal encoding, query numbers that are not plain decimals,
 * cursor and `Last-Event-ID` garbage, missing or odd Content-Type, cross-site
 * `Origin` / `Sec-Fetch-Site`, foreign `Host` names, and bodies that are not
 * JSON, not UTF-8, too large, too deep, prototype-polluting or mutated
 * RandomUser records. Each request says what the server must not do with it.
 */

import type { Random } from "../pipeline/random.ts";
import { hostileRecords } from "./hostile_records.ts";
import {
  concat,
  deepNesting,
  hostileString,
  invalidUtf8,
  pollution,
  utf8,
} from "./hostile_values.ts";
import {
  CONSOLE_WRITES,
  consolePath,
  consoleQuery,
  hostileLastEventId,
  hostileReplay,
  hostileTestMessage,
  LIVE_ENDPOINTS,
} from "./hostile_console.ts";
import { isJsonType } from "../server/request_guards.ts";
import { CONSOLE_ENDPOINTS } from "./hostile_console.ts";

/** One generated request, as bytes-level parts so it can go in-process or over a socket. */
export interface HostileRequest {
  index: number;
  endpoint: string;
  method: string;
  /** Request target as sent: path and query, possibly malformed. */
  target: string;
  /** Host name (and port) the request is addressed to; `undefined` for the server's own. */
  host?: string;
  headers: Array<[string, string]>;
  body?: Uint8Array;
  /** What was done, for failure messages. */
  mutations: string[];
  /** Why the request must be refused with a 4xx, when it must. */
  mustRefuse?: string;
  /** The request posts users that may be accepted. */
  postsUsers: boolean;
  /** Goes to the app that has a write token (`HostileRequestOptions.token`). */
  withToken?: boolean;
  /** A live stream the client drops before reading anything. */
  abortEarly?: boolean;
}

/** A valid products window file name, as the VAT job writes them. */
const WINDOW_FILE = "products_2025-02-16T07-26-00_2025-02-16T07-28-00.csv";

/**
 * Paths that try to leave `static/`: encoded slashes and backslashes, double
 * encoding, overlong UTF-8 dots, NUL, and plain names of secrets.
 */
export const TRAVERSALS: readonly string[] = [
  "/..%2f..%2fdeno.json",
  "/..%2fdeno.json",
  "/%2e%2e%2fdeno.json",
  "/..%5cdeno.json",
  "/..%5C..%5Cdeno.json",
  "/%5c..%5c..%5cdeno.json",
  "/%252e%252e%252fdeno.json",
  "/..%252fdeno.json",
  "/%c0%ae%c0%ae%c0%afdeno.json",
  "/..%c0%afdeno.json",
  "/%2e%2e%5c%2e%2e%5c%2e%2e%5c%2e%2e%5c%2e%2e%5c%2e%2e%5cetc%5cpasswd",
  "/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
  "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "/.git/HEAD",
  "/..%2f.git",
  "/..%2f.git%2fHEAD",
  "/%2egit/config",
  "/..%2fdata%2flog.db",
  "/..%2fREADME.md",
  "/..%2fmain.ts",
  "/geo/..%2f..%2fdeno.json",
  "/geo%2f..%2f..%2fdeno.json",
  "/_app/..%2f..%2f.git%2fHEAD",
  "/%2fetc%2fpasswd",
  "//etc/passwd",
  "/..\\deno.json",
  "/deno.json%00.css",
  "/..%00/deno.json",
  "/%00",
  "/%",
  "/%ff",
  "/%zz",
  "/%e0%80%ae%e0%80%ae/deno.json",
  "/styles.css%2f..%2f..%2fdeno.json",
];

/** Real files under `static/`, which must be served. */
const STATIC_FILES = [
  "/styles.css",
  "/geo/countries-110m.topojson",
  "/geo/LICENSE-world-atlas.txt",
];

const LIMITS = [
  "0x10",
  "1e2",
  "-1",
  "0",
  "501",
  "500",
  "1",
  "50",
  "99999999999999999999",
  "1.5",
  " 5",
  "+5",
  "５",
  "",
  "NaN",
  "Infinity",
  "5abc",
  "%00",
  "1%00",
  "0b11",
  "00000000000000000000000007",
];

const GARBAGE = [
  "garbage",
  "../../etc/passwd",
  "%ff",
  "%",
  "A".repeat(10_000),
  '{"ts":1}',
  "-1",
  "1e999999",
  "\u202e",
  "null",
  "0",
  "999999999999999999999999",
  "abc:def",
  "%00",
  "🙂",
];

/** Options of `hostileRequests`. */
export interface HostileRequestOptions {
  endpoint: string;
  count: number;
  random: Random;
  /** Clock for generated users. */
  now: number;
  /**
   * The write token of a second app: when given, half the writes go to that
   * app, with the token or a wrong one (then they must be refused).
   */
  token?: string;
  /** Positions of real dead letters of the users stream, for replay bodies. */
  deadLetters?: ReadonlyArray<{ partition: number; offset: number }>;
}

/** Endpoints whose every request writes (the console's write only with their method). */
const WRITES = new Set(["/add_user"]);

/** `count` hostile requests to `endpoint` (a route path of the manifest, or `static`). */
export function hostileRequests(options: HostileRequestOptions): HostileRequest[] {
  const { endpoint, count, random, now, token } = options;
  const users = WRITES.has(endpoint)
    ? hostileRecords({ stream: "users", count, random, now, maxRecordBytes: 64 * 1024 })
    : [];
  return Array.from({ length: count }, (_, index) => {
    const mutations: string[] = [];
    const refusals: string[] = [];
    const consoleWrite = CONSOLE_WRITES[endpoint];
    const natural = WRITES.has(endpoint) || (consoleWrite && random.next() < 0.6) ? "POST" : "GET";
    // The console's parameters and bodies are the point there: fewer requests stop at the edge.
    const edge = CONSOLE_ENDPOINTS.includes(endpoint) ? 0.4 : 1;
    const method = random.next() < 0.4 * edge
      ? pickMethod(random, { natural, mutations })
      : natural;
    const write = WRITES.has(endpoint) || method === consoleWrite;
    let target = concretePath(random, endpoint);
    if (random.next() < 0.35 * edge) target = mutatePath(random, target, mutations);
    if (/%(2f|5c|00|25)|%(?![0-9a-f]{2})/i.test(target)) {
      refusals.push("an encoded separator, NUL, double encoding or malformed escape in the path");
    }
    const draft: Draft = { random, mutations, refusals };
    const query = consoleQueryOf(endpoint, { ...draft, write }) ?? hostileQuery(endpoint, draft);
    if (query) target += `?${query}`;
    const headers: Array<[string, string]> = [];
    let host: string | undefined;
    if (random.next() < 0.1 * edge) {
      host = random.pick([
        "evil.example",
        "127.0.0.1.nip.io",
        "localhost.evil.example",
        "attacker.test:8000",
      ]);
      mutations.push(`Host ${host}`);
      refusals.push(`Host ${host} is not one the server answers for`);
    }
    let body: Uint8Array | undefined;
    let postsUsers = false;
    const hasBody = method !== "GET" && method !== "HEAD" && random.next() < (write ? 0.97 : 0.5);
    if (hasBody) {
      const input = users[index];
      if (consoleWrite && write && random.next() < 0.85) {
        const made = consoleWrite && endpoint.endsWith("/replay")
          ? hostileReplay(random, options.deadLetters ?? [])
          : hostileTestMessage(random);
        body = utf8(made.text);
        mutations.push(made.what);
        if (made.refuse) refusals.push(made.refuse);
      } else if (write && input && random.next() < 0.8) {
        body = input.value;
        postsUsers = true;
        mutations.push(`user ${input.mutation}`);
        // The broker timestamp is not the API's to judge: that record's body is valid.
        if (input.expect === "refuse" && !input.mutation.startsWith("broker timestamp")) {
          refusals.push(`a user record with ${input.mutation}`);
        }
        if (random.next() < 0.15 && body.length < 30_000) {
          body = utf8(`{"results":[${new TextDecoder().decode(body)}]}`);
          mutations.push("wrapped in results");
        }
      } else {
        body = hostileBody(random, mutations);
      }
    }
    const type = contentType(random, body !== undefined, mutations);
    if (type !== undefined) headers.push(["content-type", type]);
    if (write && type === undefined && method === "POST") {
      refusals.push("a write without Content-Type");
    }
    if (write && type !== undefined && method === "POST" && !isJsonType(type)) {
      refusals.push(`a write with Content-Type ${JSON.stringify(type)}`);
    }
    crossSite(draft, write, headers);
    const withToken = write && token !== undefined && random.next() < 0.5;
    if (withToken) authorization(draft, { headers, token });
    otherHeaders(random, headers, mutations);
    if (withToken && !rightToken(headers, token)) {
      refusals.push("a write to the app with a token, without that token");
    }
    let abortEarly = false;
    if (LIVE_ENDPOINTS.includes(endpoint)) {
      if (random.next() < 0.5) {
        const id = hostileLastEventId(random);
        headers.push(["last-event-id", id]);
        mutations.push(`Last-Event-ID ${JSON.stringify(id.slice(0, 30))}`);
      }
      abortEarly = random.next() < 0.3;
      if (abortEarly) mutations.push("dropped before the first event");
    }
    const mustRefuse = refusals.length > 0 ? refusals.join("; ") : undefined;
    return {
      index,
      endpoint,
      method,
      target,
      host,
      headers,
      body,
      mutations,
      mustRefuse,
      postsUsers,
      ...(withToken ? { withToken } : {}),
      ...(abortEarly ? { abortEarly } : {}),
    };
  });
}

/** The token the app holds, a wrong one, or none, as a client would send them. */
function authorization(
  draft: Draft,
  { headers, token }: { headers: Array<[string, string]>; token: string },
): void {
  const { random, mutations } = draft;
  const value = random.pick<(token: string) => string | undefined>([
    (t) => `Bearer ${t}`,
    (t) => `Bearer ${t}`,
    (t) => `bearer  ${t}`,
    (t) => `Bearer ${t}x`,
    (t) => `Bearer ${t.slice(1)}`,
    (t) => `Basic ${btoa(`x:${t}`)}`,
    () => "Bearer",
    () => undefined,
  ])(token);
  mutations.push(`to the app with a token; Authorization ${JSON.stringify(value ?? "none")}`);
  if (value !== undefined) headers.push(["authorization", value]);
}

/** Whether the headers carry exactly `Bearer <token>` once (as the server reads them). */
function rightToken(headers: Array<[string, string]>, token: string): boolean {
  const given = headers.filter(([name]) => name === "authorization")
    .map(([, value]) => value.trim()).join(", ");
  return /^Bearer\s+(.+)$/i.exec(given)?.[1] === token;
}

function pickMethod(
  random: Random,
  { natural, mutations }: { natural: string; mutations: string[] },
): string {
  const method = random.pick([
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "PROPFIND",
    "BREW",
  ]);
  if (method !== natural) mutations.push(`method ${method}`);
  return method;
}

function concretePath(random: Random, endpoint: string): string {
  if (endpoint === "static") {
    return random.next() < 0.3
      ? random.pick(STATIC_FILES)
      : random.next() < 0.7
      ? random.pick(TRAVERSALS)
      : `/${encodeURIComponent(hostileString(random).slice(0, 200).toWellFormed())}`;
  }
  return consolePath(random, endpoint)
    .replace(
      ":page",
      () =>
        random.pick([
          "sales",
          "clicks",
          "products",
          "users",
          "constructor",
          "__proto__",
          "..%2f..%2fdeno.json",
          "%ff",
          "SALES",
        ]),
    )
    .replace(
      ":file",
      () =>
        random.pick([
          WINDOW_FILE,
          "..%2f..%2fdeno.json",
          "..%2f..%2f..%2fetc%2fpasswd",
          "products_x.csv",
          "%00",
          WINDOW_FILE.replace(".csv", "%00.csv"),
        ]),
    );
}

function mutatePath(random: Random, path: string, mutations: string[]): string {
  const how = random.pick<[string, (p: string) => string]>([
    ["traversal suffix", (p) => `${p.replace(/\/$/, "")}${random.pick(TRAVERSALS)}`],
    ["trailing slash", (p) => `${p}/`],
    ["double slash", (p) => `/${p}`],
    ["dot segment", (p) => `${p}/.`],
    ["upper case", (p) => p.toUpperCase()],
    ["malformed escape", (p) => `${p}${random.pick(["%", "%f", "%ff", "%zz", "%c0%ae"])}`],
    ["encoded NUL", (p) => `${p}%00`],
    ["long path", (p) => `${p}/${"a".repeat(random.int(1_000, 20_000))}`],
    ["semicolon", (p) => `${p};jsessionid=x`],
    ["unicode", (p) => `${p}/%E2%80%AE%F0%9F%99%82`],
  ]);
  mutations.push(how[0]);
  return how[1](path);
}

/** One request while it is made: the randomness it is made with, and what is noted about it. */
interface Draft {
  /** The run's seeded randomness. */
  random: Random;
  /** What was done to the request, for the report of a finding. */
  mutations: string[];
  /** Why the server must refuse the request; none when it may accept it. */
  refusals: string[];
}

/**
 * The console's own query parameters, or `undefined` for an endpoint that is
 * not the console's; a write reads no query, so its parameters refuse nothing.
 */
function consoleQueryOf(endpoint: string, draft: Draft & { write: boolean }): string | undefined {
  const made = consoleQuery(draft.random, endpoint);
  if (!made) return undefined;
  draft.mutations.push(...made.mutations);
  if (!draft.write) draft.refusals.push(...made.refusals);
  return made.query;
}

function hostileQuery(endpoint: string, draft: Draft): string {
  const { random, mutations, refusals } = draft;
  if (random.next() > 0.5) return "";
  const parts: string[] = [];
  if (endpoint === "/users" || random.next() < 0.2) {
    const limit = random.pick(LIMITS);
    parts.push(`limit=${limit.startsWith("%") ? limit : encodeURIComponent(limit)}`);
    mutations.push(`limit=${JSON.stringify(limit)}`);
    const plain = /^[0-9]+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 500;
    if (endpoint === "/users" && !plain) {
      refusals.push(`limit ${JSON.stringify(limit)} is not a plain decimal from 1 to 500`);
    }
  }
  if (random.next() < 0.4) {
    const value = random.pick(GARBAGE);
    const name = random.pick(["cursor", "lastEventId", "limit", "x", "__proto__[polluted]"]);
    parts.push(`${name}=${encodeURIComponent(value)}`);
    mutations.push(`${name}=${JSON.stringify(value.slice(0, 40))}`);
    if (endpoint === "/users" && name === "limit" && !/^[1-9][0-9]*$/.test(value)) {
      refusals.push(`a second limit ${JSON.stringify(value.slice(0, 20))}`);
    }
  }
  if (random.next() < 0.05) {
    parts.push(`x=${"a".repeat(random.int(1_000, 20_000))}`);
    mutations.push("long query");
  }
  return parts.join("&");
}

function hostileBody(random: Random, mutations: string[]): Uint8Array {
  const [what, body] = random.pick<[string, () => Uint8Array]>([
    ["invalid JSON", () => utf8(random.pick(["{not json", "{", "[1,", "'x'", "NaN", "undefined"]))],
    ["empty body", () => new Uint8Array()],
    ["invalid UTF-8", () => concat(utf8('{"a":"'), invalidUtf8(random), utf8('"}'))],
    ["huge body", () => utf8(`{"a":"${"x".repeat(random.int(64 * 1024, 1_100_000))}"}`)],
    ["deep nesting", () => utf8(deepNesting(random, random.int(1_000, 30_000)))],
    ["prototype pollution", () => utf8(pollution(random))],
    ["JSON scalar", () => utf8(random.pick(["null", "1e999999", '"x"', "true", "[]", "{}"]))],
    ["BOM before JSON", () => concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8("{}"))],
    [
      "UTF-16 JSON",
      () => new Uint8Array(new Uint16Array([...'{"a":1}'].map((c) => c.charCodeAt(0))).buffer),
    ],
  ]);
  mutations.push(what);
  return body();
}

function contentType(random: Random, hasBody: boolean, mutations: string[]): string | undefined {
  if (hasBody && random.next() < 0.75) return "application/json";
  if (random.next() < 0.5) {
    if (hasBody) mutations.push("no Content-Type");
    return undefined;
  }
  const type = random.pick([
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/vnd.api+json",
    "application/jsonx",
    "json",
    "",
  ]);
  mutations.push(`Content-Type ${JSON.stringify(type)}`);
  return type;
}

function crossSite(draft: Draft, write: boolean, headers: Array<[string, string]>): void {
  const { random, mutations, refusals } = draft;
  if (random.next() < 0.2) {
    const origin = random.pick([
      "https://evil.example",
      "null",
      "http://localhost.evil.example",
      "http://127.0.0.1:1",
    ]);
    headers.push(["origin", origin]);
    mutations.push(`Origin ${origin}`);
    if (write) refusals.push(`a write from Origin ${origin}`);
  }
  if (random.next() < 0.15) {
    const site = random.pick(["cross-site", "same-site", "same-origin", "none"]);
    headers.push(["sec-fetch-site", site]);
    mutations.push(`Sec-Fetch-Site ${site}`);
    if (write && site === "cross-site") refusals.push("a cross-site write (Sec-Fetch-Site)");
  }
}

function otherHeaders(random: Random, headers: Array<[string, string]>, mutations: string[]): void {
  if (random.next() > 0.3) return;
  const [name, value] = random.pick<[string, string]>([
    ["last-event-id", random.pick(GARBAGE).slice(0, 2000)],
    ["if-none-match", random.pick(['"x"', "*", 'W/"1"', "garbage"])],
    ["range", random.pick(["bytes=0-0", "bytes=-1", "bytes=999999999-", "bytes=x"])],
    [
      "authorization",
      random.pick(["Bearer ", "Bearer x", "Basic Zm9vOmJhcg==", "Bearer " + "a".repeat(5000)]),
    ],
    ["cookie", "a=b; __proto__=x"],
    ["x-forwarded-for", "127.0.0.1, evil.example"],
    ["accept-encoding", "gzip, br, zstd"],
    ["accept", "text/event-stream"],
  ]);
  // Header values are bytes: characters past Latin-1 cannot be sent, so they are escaped.
  const sendable = value.toWellFormed().replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));
  headers.push([name, sendable]);
  mutations.push(`${name}: ${JSON.stringify(sendable.slice(0, 30))}`);
}
