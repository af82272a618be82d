/**
 * Hostile JSON for validator tests: seeded mutations of valid records (wrong
 * types, huge and tiny numbers, exponents, control characters, long strings,
 * deep and huge values, prototype keys), and a check that a validator meets
 * its contract on every one of them.
 */

import assert from "node:assert/strict";
import { isRecordError } from "../record_error.ts";
import { type Random, seededRandom } from "../random.ts";

function nested(depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

/** Values that break one assumption or another; the big ones are made once and shared. */
const HOSTILE: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  0.5,
  1.5,
  1e2,
  1e15,
  1e21,
  1e308,
  -1e308,
  5e-324,
  1e-19,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  999_999_999_999_999.9,
  NaN,
  Infinity,
  -Infinity,
  "",
  " ",
  "1e2",
  "1e999999",
  "1e-999999",
  "9".repeat(40),
  "0.".padEnd(40, "0") + "1",
  "-0",
  "0x10",
  "+5",
  " 19.99",
  "NaN",
  "Infinity",
  "\u0000",
  "a\u001fb",
  "x\u007f",
  "x\u0085y",
  "\ud800",
  "x\udfff",
  "\u202egnp.exe",
  "=cmd|' /C calc'!A0",
  "<script>alert(1)</script>",
  "2099-01-01T00:00:00Z",
  "0001-01-01 00:00:00",
  "+275760-09-13T00:00:00Z",
  "7A0EED16-9430-4D68-901F-C0D4C1C3BF00",
  "x".repeat(1_000_000),
  "😀".repeat(3000),
  [],
  [1, 2],
  new Array(100_000).fill(0),
  nested(10_000, 1, (inner) => [inner]),
  nested(10_000, {}, (inner) => ({ a: inner })),
  {},
  Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
  JSON.parse('{"__proto__": {"polluted": true}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
];

const KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "extra", ""];

/** The paths of `value`'s object keys, objects included, as far as a real record goes. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  if (prefix.length >= 4) return [];
  const entries = Object.entries(value);
  if (entries.length > 50) return [];
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

/** The object holding the last step of `path` in `root`, or undefined. */
function parentOf(root: unknown, path: string[]): Record<string, unknown> | undefined {
  let value = root;
  for (const step of path.slice(0, -1)) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

/** A value near `valid`: the same kind of thing, subtly or grossly wrong. */
function near(random: Random, valid: unknown): unknown {
  if (typeof valid === "number") {
    return random.pick([
      valid * 10 ** random.int(1, 20),
      -valid,
      valid + 0.5,
      valid * 1e-20,
      String(valid),
      `${valid}e${random.int(1, 400)}`,
    ]);
  }
  if (typeof valid === "string") {
    const at = random.int(0, valid.length);
    const control = String.fromCharCode(random.pick([0, 9, 10, 13, 0x1f, 0x7f, 0x85, 0x9f]));
    return random.pick([
      valid.slice(0, at) + control + valid.slice(at),
      (valid.slice(0, 100) || "x").repeat(random.int(50, 3000)),
      valid.toUpperCase(),
      ` ${valid} `,
      valid.slice(0, at) + "\ud800" + valid.slice(at),
      `=${valid}`,
    ]);
  }
  return random.pick(HOSTILE);
}

/** One hostile variant of `valid`: one to three mutations, or something else entirely. */
function variant(random: Random, valid: unknown): unknown {
  if (random.next() < 0.05) return random.pick(HOSTILE);
  const copy = structuredClone(valid);
  const mutations = random.int(1, 3);
  for (let i = 0; i < mutations; i++) {
    const all = paths(copy);
    const roll = random.next();
    if (roll < 0.15 || all.length === 0) {
      const targets = [[], ...all].filter((p) => parentOf(copy, [...p, "x"]) !== undefined);
      const target = parentOf(copy, [...random.pick(targets), "x"]);
      if (target) {
        Object.defineProperty(target, random.pick(KEYS), {
          value: random.pick(HOSTILE),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      continue;
    }
    const path = random.pick(all);
    const parent = parentOf(copy, path);
    if (!parent) continue;
    const key = path[path.length - 1];
    if (roll < 0.3) delete parent[key];
    else if (roll < 0.65) parent[key] = near(random, parent[key]);
    else parent[key] = random.pick(HOSTILE);
  }
  return copy;
}

/** How a validator is put under fire. */
export interface HostileRun<T> {
  /** Valid records the variants start from. */
  valid: readonly unknown[];
  /** The validator under test. */
  validate: (value: unknown) => T;
  /** Fixed seed, so a failure is repeatable. */
  seed: number;
  /** How many variants to try. */
  count: number;
  /** Asserts that an accepted value is within the documented bounds. */
  accepted: (value: T) => void;
}

/**
 * Most milliseconds one validation may take, on any input. A pathological
 * input costs seconds; a typical one well under 1 ms. The bound leaves room
 * for a shared CI machine whose other core is busy.
 */
export const MAX_VALIDATION_MS = 50;

/**
 * Runs a validator on `count` hostile variants and asserts its contract:
 * each either validates to something within bounds or throws a `RecordError`
 * with its `field` set and a short message, never another error; and no call
 * takes more than `MAX_VALIDATION_MS` (the best of up to five timed calls
 * after a first untimed one, so neither compiling the validator nor a garbage
 * collection pause counts against it).
 * @returns how many variants were accepted and how many refused
 */
export function assertValidatorHoldsUnderFire<T>(
  run: HostileRun<T>,
): { accepted: number; refused: number } {
  const random = seededRandom(run.seed);
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < run.count; i++) {
    const value = variant(random, random.pick(run.valid));
    const attempt = () => {
      try {
        return { ok: true as const, value: run.validate(value) };
      } catch (error) {
        return { ok: false as const, error };
      }
    };
    let best = Infinity;
    let outcome = attempt();
    for (let tries = 0; tries < 5 && best >= MAX_VALIDATION_MS; tries++) {
      const started = performance.now();
      outcome = attempt();
      best = Math.min(best, performance.now() - started);
    }
    assert.ok(
      best < MAX_VALIDATION_MS,
      `variant ${i} took ${best.toFixed(2)} ms: ${outcome.ok ? "accepted" : outcome.error}`,
    );
    if (outcome.ok) {
      accepted++;
      run.accepted(outcome.value);
    } else {
      refused++;
      const { error } = outcome;
      assert.ok(isRecordError(error), `variant ${i} threw a non-RecordError: ${error}`);
      assert.ok(error.field, `variant ${i}: ${error.message} names no field`);
      assert.ok(error.message.length < 400, `variant ${i}: message too long to read`);
    }
  }
  const probe: Record<string, unknown> = {};
  assert.equal(probe.polluted, undefined, "no prototype was polluted");
  return { accepted, refused };
}

/** What `assertPlainData` allows. */
export interface PlainDataLimits {
  /** Longest text anywhere. */
  maxText: number;
  /** Keys of free-text fields, where tab and line breaks are allowed. */
  multiline?: readonly string[];
}

/** True for a C0 or C1 control character or DEL; tab and line breaks only when `lines`. */
function isControl(code: number, lines: boolean): boolean {
  if (lines && (code === 0x09 || code === 0x0a || code === 0x0d)) return false;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * Asserts that every string in `value` is short, well-formed and free of
 * control characters (tab and line breaks allowed in `multiline` fields
 * only), and that every number is finite.
 */
export function assertPlainData(value: unknown, limits: PlainDataLimits, where = "value"): void {
  if (typeof value === "string") {
    const lines = limits.multiline?.includes(where.slice(where.lastIndexOf(".") + 1)) ?? false;
    assert.ok(value.length <= limits.maxText, `${where} is ${value.length} characters`);
    for (let i = 0; i < value.length; i++) {
      assert.ok(!isControl(value.charCodeAt(i), lines), `${where} has a control character`);
    }
    assert.ok(value.isWellFormed(), `${where} has a lone surrogate`);
  } else if (typeof value === "number") {
    assert.ok(Number.isFinite(value), `${where} is ${value}`);
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      assertPlainData(child, limits, `${where}.${key}`);
    }
  }
}
