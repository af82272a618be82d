/**
 * Sends hostile requests to every endpoint of the app in-process (the Hono
 * app with real embedded stores and the users processor, as route tests
 * build it) and checks every answer, then that the users the API accepted
 * are counted exactly and memory is back to its level.
 */

import manifest from "../fresh.gen.ts";
import { routePath } from "../server/app.ts";
import { startFixture } from "../testing/app_fixture.ts";
import { userStats } from "../server/users_data.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { seededRandom } from "../pipeline/random.ts";
import { delay } from "../pipeline/async.ts";
import { type HostileRequest, hostileRequests } from "./hostile_http.ts";
import { type AnswerCheck, checkAnswer, secretsIn, showRequest } from "./response_checks.ts";
import { prototypePolluted, utf8 } from "./hostile_values.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { checkHeapBack, settledHeap } from "./memory.ts";
import { type Finding, Findings } from "./findings.ts";
import { readTopic } from "./topic_reader.ts";

/** Every endpoint of the manifest (`/add_user` first, so later reads see users), then `static`. */
export function endpoints(): string[] {
  const routes = Object.keys(manifest.routes).filter((f) => !/\/_[^/]*$/.test(f)).map(routePath);
  return [
    ...routes.filter((r) => r === "/add_user"),
    ...routes.filter((r) => r !== "/add_user").sort(),
    "static",
  ];
}

/** The endpoints that read or write users: fuzzed on one app, after `/add_user` stored some. */
export const USER_ENDPOINTS = [
  "/add_user",
  "/users",
  "/last_user",
  "/export/csv",
  "/api/stream/:page",
  "/api/pages/:page",
  "/stats",
];

/** A seed of its own for each endpoint, so one endpoint replays without the others. */
export function endpointSeed(seed: number, endpoint: string): number {
  let h = seed >>> 0;
  for (const c of endpoint) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** Options of an in-process HTTP fuzz run. */
export interface HttpFuzzOptions {
  seed: number;
  /** Requests per endpoint (the test sends 1,000). */
  count: number;
  /** Only these endpoints (all when absent). */
  only?: string[];
}

/** What a run did and found. */
export interface HttpFuzzResult {
  findings: Finding[];
  /** Requests sent per endpoint. */
  sent: Record<string, number>;
  /** Time spent on each endpoint, ms. */
  timings: Record<string, number>;
  /** Users the API accepted (202). */
  accepted: number;
  heapGrowth: number;
  elapsedMs: number;
}

/** Users stored before the requests. */
const SEEDED_USERS = 50;

/** Answers bodies up to this size are read whole; SSE streams only to their first chunk. */
const SSE_WAIT_MS = 2000;

/** Runs the in-process HTTP fuzz. */
export async function fuzzHttp(options: HttpFuzzOptions): Promise<HttpFuzzResult> {
  const started = performance.now();
  const fixture = await startFixture();
  const findings = new Findings("http in-process", options.seed);
  const sent: Record<string, number> = {};
  const timings: Record<string, number> = {};
  const secrets = new Set<string>();
  let accepted = 0;
  try {
    // Users in the store from the start, so every read endpoint has secrets it could leak.
    const random = seededRandom(options.seed);
    const seeded = Array.from({ length: SEEDED_USERS }, () => generateUser(random, Date.now()));
    for (const user of seeded) {
      for (const s of secretsIn(utf8(JSON.stringify(user)))) secrets.add(s);
    }
    await fixture.produce(seeded);
    accepted = SEEDED_USERS;
    await fixture.waitForUsers(SEEDED_USERS);
    for (const endpoint of endpoints()) await send(fixture.app.fetch, firstOf(endpoint));
    const heapBefore = await settledHeap();
    for (const endpoint of endpoints()) {
      if (options.only && !options.only.includes(endpoint)) continue;
      const requests = hostileRequests({
        endpoint,
        count: options.count,
        random: seededRandom(endpointSeed(options.seed, endpoint)),
        now: Date.now(),
      });
      const target = new Findings(`http ${endpoint}`, options.seed);
      const t0 = performance.now();
      for (const req of requests) {
        for (const s of secretsIn(req.body)) secrets.add(s);
        const answer = await send(fixture.app.fetch, req, { secrets, findings: target });
        if (answer?.status === 202 && req.postsUsers) accepted += answerCount(answer.body);
      }
      sent[endpoint] = requests.length;
      timings[endpoint] = performance.now() - t0;
      findings.all.push(...target.all);
      if (endpoint === "/add_user") await checkUsersCounted(fixture, accepted, findings);
    }
    const heapGrowth = await checkHeapBack(heapBefore, "the requests", findings);
    if (prototypePolluted()) findings.add("no prototype pollution", "Object.prototype was written");
    return {
      findings: findings.all,
      sent,
      timings,
      accepted,
      heapGrowth,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await fixture.close();
  }
}

/** A plain first request to an endpoint, to warm it up before memory is measured. */
function firstOf(endpoint: string): HostileRequest {
  const target = endpoint === "static" ? "/styles.css" : endpoint.replace(":page", "users")
    .replace(":file", "none.csv");
  return {
    index: -1,
    endpoint,
    method: "GET",
    target,
    headers: [],
    mutations: [],
    postsUsers: false,
  };
}

function answerCount(body: Uint8Array): number {
  try {
    const n = (JSON.parse(new TextDecoder().decode(body)) as { accepted?: unknown }).accepted;
    return typeof n === "number" ? n : 0;
  } catch {
    return 0;
  }
}

type Fetch = (request: Request) => Response | Promise<Response>;

/** Sends one request in-process and checks its answer (when `check` is given). */
async function send(
  fetch: Fetch,
  req: HostileRequest,
  check?: Omit<AnswerCheck, "req" | "answer">,
): Promise<{ status: number; body: Uint8Array } | undefined> {
  const findings = check?.findings;
  let request: Request;
  try {
    const headers = new Headers(req.headers);
    if (req.host !== undefined) headers.set("host", req.host);
    request = new Request(`http://${req.host ?? "localhost"}${req.target}`, {
      method: req.method,
      headers,
      body: req.body as Uint8Array<ArrayBuffer> | undefined,
    });
  } catch (error) {
    findings?.add("request can be built", `skipped: ${(error as Error).message}`, showRequest(req));
    return undefined;
  }
  let response: Response;
  try {
    response = await fetch(request);
  } catch (error) {
    findings?.add("no crash", `the app threw: ${(error as Error).stack}`, showRequest(req));
    return undefined;
  }
  const contentType = response.headers.get("content-type") ?? "";
  const body = contentType.startsWith("text/event-stream")
    ? await firstChunk(response)
    : new Uint8Array(await response.arrayBuffer());
  if (check) {
    checkAnswer({ ...check, req, answer: { status: response.status, contentType, body } });
  }
  return { status: response.status, body };
}

/** The first chunk of a streamed body (an SSE stream never ends by itself), then cancels it. */
async function firstChunk(response: Response): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const chunk = await Promise.race([
    reader.read().then((r) => r.value ?? new Uint8Array()),
    new Promise<Uint8Array>((
      resolve,
    ) => (timer = setTimeout(() => resolve(new Uint8Array()), SSE_WAIT_MS))),
  ]);
  clearTimeout(timer);
  await reader.cancel();
  return chunk;
}

/**
 * Every user the API accepted is stored or dead-lettered exactly once, and
 * the counters agree with the store.
 */
async function checkUsersCounted(
  fixture: Awaited<ReturnType<typeof startFixture>>,
  accepted: number,
  findings: Findings,
): Promise<void> {
  const { raw, aggregates, broker } = fixture.pipeline;
  const settle = async () => {
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const stored = await raw.count(USERS.collection);
      const stats = await userStats(aggregates);
      const seen = stored + stats.rejected;
      if (seen >= accepted && stats.total >= stored) return;
      if (seen !== last) [last, stableSince] = [seen, Date.now()];
      if (Date.now() - stableSince > 2000) return;
      await delay(25);
    }
  };
  await settle();
  const stored = await raw.count(USERS.collection);
  const stats = await userStats(aggregates);
  const dead = (await readTopic(broker, USERS.dlqTopic)).length;
  if (stored + dead !== accepted) {
    findings.add(
      "counts exact",
      `the API accepted ${accepted} users; ${stored} are stored and ${dead} dead-lettered (${
        accepted - stored - dead
      } unaccounted for)`,
    );
  }
  if (stats.total !== stored) {
    findings.add("counts exact", `the users total is ${stats.total}, the store holds ${stored}`);
  }
  if (stats.rejected !== dead) {
    findings.add(
      "counts exact",
      `the rejected counter is ${stats.rejected}, the dead letters ${dead}`,
    );
  }
}
