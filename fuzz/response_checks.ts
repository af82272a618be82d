/**
 * What every answer to a hostile request must satisfy, in-process or over a
 * socket: no 5xx, a 4xx says why as JSON, nothing from outside `static/`,
 * no login secret of a stored user, and a 4xx where the issue demands one.
 */

import { bounded, showBytes } from "./hostile_values.ts";
import type { HostileRequest } from "./hostile_http.ts";
import type { Findings } from "./findings.ts";

/** Text that only files outside `static/` hold: found in a body, a file leaked. */
export const LEAK_MARKERS: readonly string[] = [
  "root:x:0:0",
  '"nodeModulesDir"',
  "SQLite format 3",
  "gitdir: ",
  "ref: refs/heads/",
  "repositoryformatversion",
  "# StreamBoard\n",
  "The composition root",
];

const SECRET =
  /pw-[0-9a-f]{20}|(?<![0-9a-f])(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32}|[0-9a-f]{24})(?![0-9a-f])/g;

/** Login secrets (password, salt, hashes) of the users in a request body. */
export function secretsIn(body: Uint8Array | undefined): string[] {
  if (!body) return [];
  return [...new TextDecoder().decode(body).matchAll(SECRET)].map((m) => m[0]);
}

/** A response as the checks need it. */
export interface Answer {
  status: number;
  contentType: string;
  body: Uint8Array;
}

/** The request, bounded, for a failure message. */
export function showRequest(req: HostileRequest): string {
  const headers = req.headers.map(([k, v]) => `${k}: ${bounded(v, 60)}`).join(", ");
  return `#${req.index} ${req.method} ${bounded(req.target, 160)}${
    req.host ? ` (Host ${req.host})` : ""
  }` +
    `${headers ? ` [${headers}]` : ""}${req.body ? ` body ${showBytes(req.body, 160)}` : ""}` +
    ` {${req.mutations.join("; ")}}`;
}

/** One answer to check, and what it is checked against. */
export interface AnswerCheck {
  /** The hostile request that was sent. */
  req: HostileRequest;
  /** What came back. */
  answer: Answer;
  /** Login secrets of every user posted so far; none may appear in an answer. */
  secrets: Set<string>;
  /** Where a broken rule is reported. */
  findings: Findings;
}

/** Checks one answer against every rule an answer to a hostile request must keep. */
export function checkAnswer({ req, answer, secrets, findings }: AnswerCheck): void {
  const show = () => showRequest(req);
  const { status, contentType, body } = answer;
  const text = new TextDecoder().decode(body);
  if (status >= 500) {
    findings.add("no 5xx", `answered ${status}: ${bounded(text, 200)}`, show());
  } else if (status < 200) {
    findings.add("2xx/3xx/4xx only", `answered ${status}`, show());
  }
  if (status >= 400 && status < 500 && req.method !== "HEAD") {
    let message: unknown;
    try {
      message = (JSON.parse(text) as { error?: unknown }).error;
    } catch {
      message = undefined;
    }
    if (typeof message !== "string" || message === "" || !/json/i.test(contentType)) {
      findings.add(
        "a 4xx says why as JSON",
        `${status} ${contentType}: ${bounded(text, 120)}`,
        show(),
      );
    }
  }
  if (req.mustRefuse && (status < 400 || status >= 500)) {
    findings.add(
      "refused with a 4xx",
      `answered ${status}; must be refused: ${req.mustRefuse}`,
      show(),
    );
  }
  for (const marker of LEAK_MARKERS) {
    if (text.includes(marker)) {
      findings.add(
        "nothing from outside static/",
        `the body holds ${JSON.stringify(marker)}: ${bounded(text, 160)}`,
        show(),
      );
    }
  }
  const own = new Set(secretsIn(req.body));
  const leaked = [...text.matchAll(SECRET)].map((m) => m[0]).filter((s) =>
    secrets.has(s) && !own.has(s)
  );
  if (leaked.length > 0) {
    findings.add(
      "secrets stay in",
      `the body serves ${leaked.length} login secret(s) of posted users, e.g. ${leaked[0]}`,
      show(),
    );
  }
}
