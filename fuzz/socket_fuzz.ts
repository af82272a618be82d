/**
 * A subset of the hostile requests over a real socket to StreamBoard run as
 * its own process (`main.ts`, embedded mode), plus what only a socket can
 * send: malformed request lines, raw NUL, absolute-form targets, missing or
 * doubled `Host`, lying lengths, half-sent bodies. Checks every answer as
 * in-process, then that the process is alive, logged no server failure and
 * no restart, and counts the users it accepted exactly.
 */

import { startApp } from "../e2e/app_process.ts";
import { type Random, seededRandom } from "../pipeline/random.ts";
import { delay } from "../pipeline/async.ts";
import { type HostileRequest, hostileRequests } from "./hostile_http.ts";
import { checkAnswer, secretsIn, showRequest } from "./response_checks.ts";
import { concat, utf8 } from "./hostile_values.ts";
import { endpoints, endpointSeed } from "./http_fuzz.ts";
import { type Finding, Findings } from "./findings.ts";
import { rawExchange } from "./raw_http.ts";

/** Options of a socket fuzz run. */
export interface SocketFuzzOptions {
  seed: number;
  /** Requests in all, spread over the endpoints. */
  count: number;
}

/** Lines of the server's output that mean a failure, a crash or a restart. */
const FAILURE_LINES = /failed|panicked|uncaught|restart|internal error/i;

/** Raw-only requests that must get a 4xx (when answered at all). */
const RAW_REFUSALS: Record<string, string> = {
  "absolute-form target": "its Host is evil.example",
  "raw NUL in target": "a NUL in the path",
};

/** Header, body and keep-alive timeouts of the server under test, ms. */
const CONNECTION_TIMEOUT_MS = 1000;

/** Longest wait for one answer, ms. */
const ANSWER_MS = 3000;

/** Runs the socket fuzz against a fresh StreamBoard process. */
export async function fuzzSocket(
  options: SocketFuzzOptions,
): Promise<{ findings: Finding[]; elapsedMs: number }> {
  const started = performance.now();
  const findings = new Findings("http socket", options.seed);
  const app = await startApp({
    STREAMBOARD_PRODUCE: "0",
    STREAMBOARD_STREAMS: "users",
    // Short connection timeouts, so an idle or half-sent request must end within `ANSWER_MS`.
    STREAMBOARD_HEADER_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
    STREAMBOARD_BODY_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
    STREAMBOARD_KEEPALIVE_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
  });
  try {
    const port = Number(new URL(app.url).port);
    const own = `127.0.0.1:${port}`;
    const list = endpoints();
    const per = Math.ceil(options.count / list.length);
    const random = seededRandom(options.seed);
    const secrets = new Set<string>();
    let accepted = 0;
    for (const endpoint of list) {
      const requests = hostileRequests({
        endpoint,
        count: per,
        random: seededRandom(endpointSeed(options.seed, `socket ${endpoint}`)),
        now: Date.now(),
      });
      for (const req of requests) {
        for (const s of secretsIn(req.body)) secrets.add(s);
        const [bytes, note] = random.next() < 0.25
          ? rawOnly(random, req, own)
          : [serialize(req, own), ""];
        // A raw-only request replaces the generated one: only its own refusal applies.
        const sent: HostileRequest = note
          ? { ...req, mustRefuse: RAW_REFUSALS[note], mutations: [`raw: ${note}`], body: undefined }
          : req;
        const answer = await rawExchange({
          port,
          request: bytes,
          timeoutMs: ANSWER_MS,
          halfClose: note === "half-sent body",
        });
        if (answer.timedOut) {
          findings.add(
            "answers or closes",
            `no answer and no close within ${ANSWER_MS} ms`,
            showRequest(sent),
          );
          continue;
        }
        // Closed without an answer, or a bare 400 from the HTTP server itself: refused at the connection.
        if (answer.status === undefined) continue;
        if (note && answer.status === 400 && answer.headers["content-type"] === undefined) continue;
        checkAnswer({
          req: sent,
          answer: {
            status: answer.status,
            contentType: answer.headers["content-type"] ?? "",
            body: answer.body,
          },
          secrets,
          findings,
        });
        if (answer.status === 202 && req.postsUsers && !note) {
          const n =
            (JSON.parse(new TextDecoder().decode(answer.body)) as { accepted?: number }).accepted;
          accepted += n ?? 0;
        }
      }
    }
    await checkAlive(app.url, accepted, findings);
    for (const line of app.output().split("\n").filter((l) => FAILURE_LINES.test(l)).slice(0, 5)) {
      findings.add("no crash or restart", `the server logged: ${line.slice(0, 400)}`);
    }
    return { findings: findings.all, elapsedMs: performance.now() - started };
  } finally {
    await app.stop();
  }
}

/** The request as HTTP/1.1 bytes, closing the connection after the answer. */
function serialize(req: HostileRequest, own: string): Uint8Array {
  const head = [
    `${req.method} ${req.target} HTTP/1.1`,
    `host: ${req.host ?? own}`,
    ...req.headers.map(([k, v]) => `${k}: ${v}`),
    "connection: close",
    ...(req.body ? [`content-length: ${req.body.length}`] : []),
  ];
  return concat(utf8(`${head.join("\r\n")}\r\n\r\n`), req.body ?? new Uint8Array());
}

/** A request only a socket can send, built on `req`; returns its bytes and what was done. */
function rawOnly(random: Random, req: HostileRequest, own: string): [Uint8Array, string] {
  const body = req.body ?? utf8("{}");
  const line = (target: string, version = "HTTP/1.1") => `${req.method} ${target} ${version}\r\n`;
  const [note, text] = random.pick<[string, () => string]>([
    [
      "absolute-form target",
      () =>
        `${
          line(`http://evil.example${req.target}`)
        }host: evil.example\r\nconnection: close\r\n\r\n`,
    ],
    [
      "target without slash",
      () => `${line("../../../../etc/passwd")}host: ${own}\r\nconnection: close\r\n\r\n`,
    ],
    [
      "raw NUL in target",
      () => `${line(`${req.target}\u0000.css`)}host: ${own}\r\nconnection: close\r\n\r\n`,
    ],
    [
      "raw backslashes",
      () => `${line("/..\\..\\deno.json")}host: ${own}\r\nconnection: close\r\n\r\n`,
    ],
    ["no Host", () => `${line(req.target)}connection: close\r\n\r\n`],
    [
      "two Hosts",
      () => `${line(req.target)}host: ${own}\r\nhost: evil.example\r\nconnection: close\r\n\r\n`,
    ],
    ["HTTP/1.0", () => `${line(req.target, "HTTP/1.0")}\r\n`],
    ["HTTP/9.9", () => `${line(req.target, "HTTP/9.9")}host: ${own}\r\n\r\n`],
    [
      "header without colon",
      () => `${line(req.target)}host: ${own}\r\nbroken header\r\nconnection: close\r\n\r\n`,
    ],
    [
      "64 KiB header",
      () =>
        `${line(req.target)}host: ${own}\r\nx-big: ${
          "a".repeat(65_536)
        }\r\nconnection: close\r\n\r\n`,
    ],
    [
      "negative length",
      () => `${line(req.target)}host: ${own}\r\ncontent-length: -1\r\nconnection: close\r\n\r\n`,
    ],
    [
      "length and chunked",
      () =>
        `POST /add_user HTTP/1.1\r\nhost: ${own}\r\ncontent-type: application/json\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      "bad chunk",
      () =>
        `POST /add_user HTTP/1.1\r\nhost: ${own}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\nfffffffffffffffff\r\n{}\r\n`,
    ],
    [
      "half-sent body",
      () =>
        `POST /add_user HTTP/1.1\r\nhost: ${own}\r\ncontent-type: application/json\r\ncontent-length: ${
          body.length + 1000
        }\r\nconnection: close\r\n\r\n${new TextDecoder().decode(body).slice(0, 200)}`,
    ],
    ["HTTP/2 preface", () => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
    [
      "lower-case method",
      () =>
        `${req.method.toLowerCase()} ${req.target} HTTP/1.1\r\nhost: ${own}\r\nconnection: close\r\n\r\n`,
    ],
    ["garbage", () => "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003"],
  ]);
  return [utf8(text()), note];
}

/** The process still answers, and the users it accepted are stored or dead-lettered once each. */
async function checkAlive(url: string, accepted: number, findings: Findings): Promise<void> {
  const stats = async () => {
    const res = await fetch(new URL("/stats", url));
    if (res.status !== 200) throw new Error(`GET /stats answered ${res.status}`);
    return await res.json() as { total: number; rejected: number };
  };
  let s: { total: number; rejected: number };
  try {
    const deadline = Date.now() + 10_000;
    do {
      s = await stats();
      if (s.total + s.rejected >= accepted) break;
      await delay(50);
    } while (Date.now() < deadline);
  } catch (error) {
    findings.add(
      "no crash or restart",
      `the server no longer answers: ${(error as Error).message}`,
    );
    return;
  }
  if (s.total + s.rejected !== accepted) {
    findings.add(
      "counts exact",
      `the API accepted ${accepted} users; the counters show ${s.total} counted and ${s.rejected} rejected`,
    );
  }
  let listed = 0;
  for (let next: string | null = ""; next !== null;) {
    const res = await fetch(
      new URL(`/users?limit=500${next ? `&cursor=${encodeURIComponent(next)}` : ""}`, url),
    );
    const page = await res.json() as { users: unknown[]; next: string | null };
    listed += page.users.length;
    next = page.next;
  }
  if (listed !== s.total) {
    findings.add("counts exact", `the users total is ${s.total}, GET /users lists ${listed}`);
  }
}
