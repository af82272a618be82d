/** What a fuzz run found: each broken invariant with the seed and the input that broke it. */

/** One broken invariant. */
export interface Finding {
  /** The invariant, short and stable (`no 5xx`, `counts exact`, ...). */
  invariant: string;
  /** Endpoint or stream. */
  target: string;
  seed: number;
  /** The input, bounded, enough to replay it (`#17 POST /add_user …`). */
  input?: string;
  detail: string;
}

/** Collects findings of one run, keeping every one but showing a bounded number. */
export class Findings {
  readonly all: Finding[] = [];
  readonly #target: string;
  readonly #seed: number;

  constructor(target: string, seed: number) {
    this.#target = target;
    this.#seed = seed;
  }

  /** Records a broken invariant. */
  add(invariant: string, detail: string, input?: string): void {
    this.all.push({
      invariant,
      target: this.#target,
      seed: this.#seed,
      detail,
      ...(input === undefined ? {} : { input }),
    });
  }
}

/** One line per finding. */
export function formatFinding(f: Finding): string {
  return `[${f.invariant}] ${f.target} seed=${f.seed}${
    f.input ? ` input ${f.input}` : ""
  }: ${f.detail}`;
}

/**
 * A readable summary: per invariant, how many inputs broke it and the first
 * `perInvariant` of them in full.
 */
export function summarize(findings: Finding[], perInvariant = 3): string {
  const groups = Map.groupBy(findings, (f) => `${f.target} · ${f.invariant}`);
  const lines: string[] = [];
  for (const [name, list] of groups) {
    lines.push(`${name}: ${list.length} finding(s)`);
    for (const f of list.slice(0, perInvariant)) lines.push(`  ${formatFinding(f)}`);
  }
  return lines.join("\n");
}

/**
 * Fails a test run that broke invariants, with the command that replays it.
 *
 * @throws {Error} listing the broken invariants (see `summarize`)
 */
export function failOnFindings(findings: Finding[], replay: string): void {
  if (findings.length === 0) return;
  throw new Error(
    `${findings.length} broken invariant(s); replay: ${replay}\n${summarize(findings)}`,
  );
}
