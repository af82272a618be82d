/**
 * Sends hostile requests to every endpoint of the app in-process (the Hono
 * app with real embedded stores and the users processor, as route tests
 * build it) and checks every answer, then that the users the API accepted
 * are counted exactly and memory is back to its level.
 */

import manifest from "../fresh.gen.ts";
import { createApp, routePath } from "../server/app.ts";
import { withConfig } from "../config.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { CONSOLE_ENDPOINTS, CONSOLE_WRITES, LIVE_ENDPOINTS } from "./hostile_console.ts";
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
import type { Broker } from "../pipeline/ports.ts";

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

/** The write token of the second app, which half the writes go to. */
const FUZZ_TOKEN = "fuzz-write-token-4c1f";

/** Dead letters put on the users stream before the console is fuzzed, for replays to find. */
const SEEDED_DEAD_LETTERS = 40;

/**
 * Longest a single request may take, ms: generous for a busy machine, far
 * below what a quadratic pattern or an unbounded read costs on hostile input.
 */
const SLOW_REQUEST_MS = 5000;

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
  /** Answers per endpoint by status, to see what the inputs reached. */
  statuses: Record<string, Record<number, number>>;
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
  const tokenApp = createApp(manifest, {
    ...fixture.state,
    config: withConfig(fixture.state.config, { web: { writeToken: FUZZ_TOKEN } }),
  });
  const written = new TopicWrites();
  const findings = new Findings("http in-process", options.seed);
  const sent: Record<string, number> = {};
  const timings: Record<string, number> = {};
  const statuses: Record<string, Record<number, number>> = {};
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
    let deadLetters: Array<{ partition: number; offset: number }> | undefined;
    for (const endpoint of endpoints()) {
      if (options.only && !options.only.includes(endpoint)) continue;
      if (CONSOLE_ENDPOINTS.includes(endpoint) && deadLetters === undefined) {
        deadLetters = await seedDeadLetters(fixture);
        await written.start(fixture.pipeline.broker);
      }
      const requests = hostileRequests({
        endpoint,
        count: options.count,
        random: seededRandom(endpointSeed(options.seed, endpoint)),
        now: Date.now(),
        token: FUZZ_TOKEN,
        deadLetters,
      });
      const target = new Findings(`http ${endpoint}`, options.seed);
      const t0 = performance.now();
      for (const req of requests) {
        for (const s of secretsIn(req.body)) secrets.add(s);
        const t = performance.now();
        const app = req.withToken ? tokenApp : fixture.app;
        const answer = await send(app.fetch, req, { secrets, findings: target });
        const took = performance.now() - t;
        if (took > SLOW_REQUEST_MS) {
          target.add("no request costs seconds", `took ${took.toFixed(0)} ms`, showRequest(req));
        }
        const byStatus = statuses[endpoint] ??= {};
        if (answer) byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
        if (answer?.status === 202 && req.postsUsers) accepted += answerCount(answer.body);
        if (answer?.status === 202) written.count(req, answer.body);
      }
      sent[endpoint] = requests.length;
      timings[endpoint] = performance.now() - t0;
      findings.all.push(...target.all);
      if (endpoint === "/add_user") await checkUsersCounted(fixture, accepted, findings);
    }
    if (deadLetters !== undefined) await written.check(fixture, findings);
    await checkViewerSlots(
      fixture.app.fetch,
      fixture.state.config.web.sseViewersPerClient,
      findings,
    );
    const heapGrowth = await checkHeapBack(heapBefore, "the requests", findings);
    if (prototypePolluted()) findings.add("no prototype pollution", "Object.prototype was written");
    return {
      findings: findings.all,
      sent,
      timings,
      statuses,
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
  const live = contentType.startsWith("text/event-stream");
  if (live && req.abortEarly) await response.body?.cancel();
  const body = live
    ? req.abortEarly ? new Uint8Array() : await firstChunk(response)
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

/** Puts records the users stream must dead-letter on its topic; their positions in the dead letters. */
async function seedDeadLetters(
  fixture: Awaited<ReturnType<typeof startFixture>>,
): Promise<Array<{ partition: number; offset: number }>> {
  const { broker } = fixture.pipeline;
  const before = (await readTopic(broker, USERS.dlqTopic)).length;
  await fixture.produce(
    Array.from({ length: SEEDED_DEAD_LETTERS }, (_, i) => `{"not":"a user ${i}"`),
  );
  for (let waited = 0; waited < 10_000; waited += 50) {
    const letters = await readTopic(broker, USERS.dlqTopic);
    if (letters.length >= before + SEEDED_DEAD_LETTERS) {
      return letters.map(({ partition, offset }) => ({ partition, offset }));
    }
    await delay(50);
  }
  throw new Error(`the users stream did not dead-letter ${SEEDED_DEAD_LETTERS} broken records`);
}

/**
 * What the console's writes said they wrote, per topic, against what the
 * topics grew by: a test message adds exactly one record, a replay exactly
 * the records it names; the dead-letter topics grow by at least that (the
 * streams add theirs).
 */
class TopicWrites {
  readonly #said = new Map<string, number>();
  #before = new Map<string, number>();

  /** Notes the size of every topic before the writes. */
  async start(broker: Broker): Promise<void> {
    this.#before = await topicSizes(broker);
  }

  /** Counts what a 202 answer to `req` says it wrote. */
  count(req: HostileRequest, body: Uint8Array): void {
    const method = CONSOLE_WRITES[req.endpoint];
    if (method === undefined || req.method !== method) return;
    const answer = JSON.parse(new TextDecoder().decode(body)) as {
      topic?: string;
      replayed?: unknown[];
    };
    if (req.endpoint.endsWith("/replay")) {
      const stream = decodeURIComponent(/\/dead-letters\/([^/?]+)\/replay/.exec(req.target)![1]);
      this.#add(STREAMS.get(stream).topics.topic, answer.replayed?.length ?? 0);
    } else if (answer.topic !== undefined) {
      this.#add(answer.topic, 1);
    }
  }

  #add(topic: string, n: number): void {
    this.#said.set(topic, (this.#said.get(topic) ?? 0) + n);
  }

  /**
   * Every topic grew by what the writes said (at least that for dead-letter
   * topics), and every record of the users topic is stored or dead-lettered.
   */
  async check(
    fixture: Awaited<ReturnType<typeof startFixture>>,
    findings: Findings,
  ): Promise<void> {
    const { broker, raw } = fixture.pipeline;
    const dlqs = new Set(STREAMS.names.map((n) => STREAMS.get(n).topics.dlqTopic));
    const after = await topicSizes(broker);
    for (const [topic, size] of after) {
      const grew = size - (this.#before.get(topic) ?? 0);
      const said = this.#said.get(topic) ?? 0;
      if (dlqs.has(topic) ? grew < said : grew !== said) {
        findings.add(
          "counts exact",
          `topic ${topic} grew by ${grew} records; the console's writes answered ${said}`,
        );
      }
    }
    const ended = async () => {
      const sizes = await topicSizes(broker);
      const dead = (sizes.get(USERS.dlqTopic) ?? 0) - (this.#said.get(USERS.dlqTopic) ?? 0);
      return {
        records: sizes.get(USERS.topic) ?? 0,
        stored: await raw.count(USERS.collection),
        dead,
      };
    };
    let end = await ended();
    for (let waited = 0; waited < 10_000 && end.stored + end.dead < end.records; waited += 50) {
      await delay(50);
      end = await ended();
    }
    if (end.stored + end.dead !== end.records) {
      findings.add(
        "counts exact",
        `the users topic holds ${end.records} records; ${end.stored} are stored and ${end.dead} dead-lettered`,
      );
    }
  }
}

async function topicSizes(broker: Broker): Promise<Map<string, number>> {
  const topics = await broker.describeTopics();
  return new Map(
    topics.map((t) => [t.name, t.partitions.reduce((sum, p) => sum + p.high - p.low, 0)]),
  );
}

/**
 * After the run a client can open as many live streams as it may: every slot
 * the fuzzed streams took (dropped early or read) was given back.
 */
async function checkViewerSlots(fetch: Fetch, max: number, findings: Findings): Promise<void> {
  const targets = LIVE_ENDPOINTS.map((e) =>
    e.replace(":page", "users").replace(":topic", USERS.topic)
  );
  const responses = await Promise.all(
    Array.from(
      { length: max },
      (_, i) => fetch(new Request(`http://localhost${targets[i % targets.length]}`)),
    ),
  );
  const refused = responses.filter((r) => r.status !== 200);
  await Promise.all(responses.map((r) => r.body?.cancel()));
  if (refused.length > 0) {
    findings.add(
      "viewer slots given back",
      `after the run ${refused.length} of ${max} live streams were refused (${refused[0].status})`,
    );
  }
}
