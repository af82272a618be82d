/**
 * Hostile building blocks shared by the HTTP and stream fuzzers: strings,
 * numbers written as raw JSON text, timestamps and byte sequences that
 * attackers and careless producers send. Pure: every choice comes from the
 * seeded `Random` passed in, so a seed replays exactly.
 */

import type { Random } from "../pipeline/random.ts";

/** A value to put into a JSON document as raw text (numbers JSON.stringify cannot write). */
export interface RawJson {
  raw: string;
}

/** Strings with control characters, odd Unicode, markup and formula prefixes. */
export function hostileString(random: Random): string {
  return random.pick<() => string>([
    () => "",
    () => " ",
    () => "\u001f",
    () => `a\u001fb`,
    () => `a\u0000b`,
    () => "\ud800",
    () => "\u202eevil",
    () => "<img src=x onerror=alert(1)>",
    () => '=HYPERLINK("http://x")',
    () => "../../etc/passwd",
    () => "%00%2e%2e",
    () => "\r\n",
    () => "__proto__",
    () => "🙂".repeat(random.int(1, 50)),
    () => "x".repeat(random.int(1_000, 200_000)),
  ])();
}

/** Numbers as raw JSON text: huge exponents, long digit runs, negative zero, edge doubles. */
export function hostileNumberText(random: Random): string {
  return random.pick([
    "1e999999",
    "-1e999999",
    "1e308",
    "1.7976931348623157e308",
    "5e-324",
    "1e-400",
    "-0",
    "-1",
    "0",
    "0.1e1",
    "1E2",
    "9007199254740993",
    "123456789012345678901234567890",
    `1${"0".repeat(random.int(20, 400))}`,
    `0.${"9".repeat(random.int(20, 400))}`,
  ]);
}

/** Decimal text that expands: exponents and digit runs a naive bigint parse blows up on. */
export function hostileDecimalText(random: Random): string {
  return random.pick([
    "1e999999",
    "1e40",
    "9".repeat(39),
    `0.${"0".repeat(37)}1`,
    "1E+999",
    "-0.00",
    "0x10",
    "1_000",
    " 12 ",
    "NaN",
    "Infinity",
  ]);
}

/** True for number text that JSON.parse turns into ±Infinity (never a valid amount). */
export function overflowsToInfinity(text: string): boolean {
  return !Number.isFinite(Number(text));
}

/** Event times far ahead of any processing clock: must always be refused. */
export function futureTimestamp(random: Random, now: number): string {
  return random.pick([
    "2099-01-01T00:00:00Z",
    "2099-12-31 23:59:59",
    "9999-12-31T23:59:59Z",
    new Date(now + random.int(1, 24) * 3_600_000).toISOString(),
    new Date(now + 365 * 86_400_000).toISOString(),
  ]);
}

/** Event times in the past or of odd shape: valid, late or refused, never a crash. */
export function oddTimestamp(random: Random, now: number): string | number | null {
  return random.pick<string | number | null>([
    "1970-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "2000-02-29 12:00:00",
    "2025-02-29T00:00:00Z",
    "2025-13-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    new Date(now - 86_400_000).toISOString(),
    "now",
    "",
    4102444800000,
    -1,
    null,
  ]);
}

/** Bytes that are not UTF-8 (lone continuation bytes, overlong forms, surrogates, 0xff). */
export function invalidUtf8(random: Random): Uint8Array {
  return new Uint8Array(random.pick([
    [0xff],
    [0xc0, 0xaf],
    [0xe0, 0x80, 0xaf],
    [0xed, 0xa0, 0x80],
    [0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
  ]));
}

/** A nesting of `depth` arrays or objects, as JSON text. */
export function deepNesting(random: Random, depth: number): string {
  return random.next() < 0.5
    ? "[".repeat(depth) + "]".repeat(depth)
    : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** Keys that try to reach prototypes when merged naively. */
export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"] as const;

/** A prototype-pollution payload as JSON text. */
export function pollution(random: Random): string {
  return random.pick([
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"results":[{"__proto__":{"polluted":"yes"}}]}',
    '{"login":{"__proto__":{"uuid":"00000000-0000-4000-8000-000000000000"}}}',
  ]);
}

/** True when something wrote to `Object.prototype` (a pollution that worked). */
export function prototypePolluted(): boolean {
  return Object.getOwnPropertyNames(Object.prototype).includes("polluted") ||
    ({} as Record<string, unknown>).polluted !== undefined;
}

/** `text` as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The concatenation of byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const PLACEHOLDER = "\u0000raw-json\u0000";

/**
 * JSON text of `value`, where every `RawJson` is written as its raw text
 * (`{"price": {raw: "1e999999"}}` → `{"price":1e999999}`).
 */
export function jsonWithRaw(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (
      v !== null && typeof v === "object" && typeof (v as RawJson).raw === "string" &&
      Object.keys(v).length === 1
    ) {
      raws.push((v as RawJson).raw);
      return PLACEHOLDER;
    }
    return v;
  });
  let i = 0;
  return text.replaceAll(JSON.stringify(PLACEHOLDER), () => raws[i++]);
}

/** Shortens a value for a failure message, keeping both ends. */
export function bounded(text: string, max = 300): string {
  if (text.length <= max) return text;
  const half = Math.floor((max - 20) / 2);
  return `${text.slice(0, half)}…[${text.length - 2 * half} more]…${text.slice(-half)}`;
}

/** Bytes shown for a failure message: UTF-8 text when they are, else hex. */
export function showBytes(bytes: Uint8Array, max = 300): string {
  try {
    return JSON.stringify(bounded(new TextDecoder("utf-8", { fatal: true }).decode(bytes), max));
  } catch {
    const hex = [...bytes.slice(0, max / 2)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `hex:${hex}${bytes.length > max / 2 ? `… (${bytes.length} bytes)` : ""}`;
  }
}

/** Reads dotted `path` of a plain object tree, creating nothing. */
export function getPath(root: unknown, path: string): unknown {
  let value = root;
  for (const step of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** Sets dotted `path` in a plain object tree, making missing parents (optional fields) objects. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const steps = path.split(".");
  let at: Record<string, unknown> = root;
  for (const step of steps.slice(0, -1)) {
    if (at[step] === null || typeof at[step] !== "object") at[step] = {};
    at = at[step] as Record<string, unknown>;
  }
  at[steps[steps.length - 1]] = value;
}

/** Deletes dotted `path` from a plain object tree (nothing to do when a parent is missing). */
export function deletePath(root: Record<string, unknown>, path: string): void {
  const steps = path.split(".");
  let at: Record<string, unknown> = root;
  for (const step of steps.slice(0, -1)) {
    if (at[step] === null || typeof at[step] !== "object") return;
    at = at[step] as Record<string, unknown>;
  }
  delete at[steps[steps.length - 1]];
}
