/**
 * Hostile records for each stream: valid records from the stream's own
 * generator, resent duplicates, and mutations of them (wrong types, huge
 * numbers, control characters, far-future times, invalid UTF-8, non-JSON,
 * records over the size limit). Each record says what must become of it, so
 * the stream fuzzer can check the processor's verdict against it.
 */

import type { Random } from "../pipeline/random.ts";
import type { StreamName } from "../pipeline/stream_module.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { salesGenerator } from "../pipeline/sales/sales.ts";
import { GENERATE } from "../pipeline/clickstream/generator.ts";
import { generateProduct } from "../pipeline/products/generator.ts";
import { generateActivity } from "../pipeline/clickstream/activity.ts";
import {
  concat,
  deepNesting,
  deletePath,
  futureTimestamp,
  getPath,
  hostileDecimalText,
  hostileNumberText,
  hostileString,
  invalidUtf8,
  jsonWithRaw,
  oddTimestamp,
  overflowsToInfinity,
  setPath,
  utf8,
} from "./hostile_values.ts";

/**
 * What must become of a record:
 * - `accept`: stored and counted (a valid record, the first of its event id);
 * - `refuse`: dead-lettered, with a reason naming `field` when one is given;
 * - `duplicate`: a resend of an event id already sent: of all records with
 *   that id exactly one is accepted, the others dead-lettered as `duplicate`;
 * - `either`: accepted or dead-lettered, as the validation rules decide.
 */
export type Expectation = "accept" | "refuse" | "duplicate" | "either";

/** One generated input of a stream. */
export interface HostileRecord {
  index: number;
  /** What was done to a valid record, for failure messages. */
  mutation: string;
  key: string;
  value: Uint8Array;
  /** Broker timestamp, ms since the epoch. */
  timestamp: number;
  expect: Expectation;
  /** The field a refusal's reason must name. */
  field?: string;
  /** The reason code a refusal must carry (`too-large`, `duplicate`). */
  code?: string;
}

type Kind = "text" | "number" | "integer" | "decimal" | "time" | "enum" | "other";

/** A field of a stream's records and how validation treats it. */
interface FieldSpec {
  path: string;
  kind: Kind;
  required: boolean;
}

/** The shape of a stream's records, as the fuzzer needs to know it. */
interface StreamShape {
  /** A fresh valid record at `now`. */
  valid(random: Random, now: number): Record<string, unknown>;
  /** Dotted path of the event id, for streams identified by one. */
  idPath?: string;
  /**
   * Paths a resend with other fields new keeps: the partitioning key of a
   * stream not keyed by its event id, so copies of an event stay in order on
   * one partition as a replayed forward's do.
   */
  keptOnResend?: string[];
  /** Dotted path of the event time; absent when the broker timestamp is the event time. */
  timePath?: string;
  fields: FieldSpec[];
}

const text = (path: string, required = true): FieldSpec => ({ path, kind: "text", required });
const field = (path: string, kind: Kind, required = true): FieldSpec => ({ path, kind, required });

function userShape(): StreamShape {
  return {
    valid: (random, now) => {
      const user = generateUser(random, now) as unknown as Record<string, unknown>;
      // Unique secrets, so a response or document that leaks one is found by its text.
      const login = user.login as Record<string, string>;
      login.password = `pw-${random.hex(20)}`;
      login.salt = random.hex(24);
      return user;
    },
    idPath: "login.uuid",
    fields: [
      field("login.uuid", "other"),
      text("gender"),
      text("name.first"),
      text("name.last"),
      text("name.title", false),
      text("email"),
      text("location.country"),
      text("location.city", false),
      field("location.postcode", "other", false),
      field("dob.date", "time"),
      field("dob.age", "number", false),
      field("registered.date", "time", false),
      field("picture.large", "other", false),
    ],
  };
}

function salesShape(): StreamShape {
  const generate = salesGenerator(0);
  return {
    valid: (random, now) => generate(random, now) as unknown as Record<string, unknown>,
    idPath: "id",
    timePath: "timestamp",
    fields: [
      field("id", "other"),
      text("product"),
      text("category"),
      field("quantity", "integer"),
      field("unit_price", "decimal"),
      field("total", "decimal"),
      field("payment_method", "enum"),
      text("city"),
      field("latitude", "number"),
      field("longitude", "number"),
      field("timestamp", "time"),
    ],
  };
}

function clickstreamShape(stream: "clicks" | "views" | "ratings"): StreamShape {
  const own: Record<typeof stream, FieldSpec[]> = {
    clicks: [text("page_url"), field("click_duration", "number")],
    views: [field("view_duration", "number"), field("device_type", "enum")],
    ratings: [field("rating", "integer"), text("review_text", false)],
  };
  return {
    valid: (random, now) => GENERATE[stream](random, now) as unknown as Record<string, unknown>,
    timePath: "timestamp",
    fields: [
      field("event_type", "enum"),
      field("user_id", "integer"),
      field("item_id", "integer"),
      field("timestamp", "time"),
      ...own[stream],
    ],
  };
}

function productsShape(): StreamShape {
  return {
    valid: (random, now) => generateProduct(random, now) as unknown as Record<string, unknown>,
    timePath: "timestamp_column",
    fields: [
      field("id", "other"),
      text("product"),
      text("description", false),
      field("price", "decimal"),
      field("kdv", "decimal"),
      field("timestamp_column", "time"),
    ],
  };
}

function activityShape(): StreamShape {
  return {
    valid: (random, now) => generateActivity(random, now) as unknown as Record<string, unknown>,
    idPath: "id",
    keptOnResend: ["user_id"],
    timePath: "timestamp",
    fields: [
      field("id", "other"),
      field("user_id", "integer"),
      field("timestamp", "time"),
      field("kind", "enum"),
      field("device_type", "enum", false),
    ],
  };
}

/** The record shape of each stream. */
function shapeOf(stream: StreamName): StreamShape {
  switch (stream) {
    case "users":
      return userShape();
    case "sales":
      return salesShape();
    case "products":
      return productsShape();
    case "sessions":
      return activityShape();
    case "clicks":
    case "views":
    case "ratings":
      return clickstreamShape(stream);
    default:
      throw new Error(`the fuzzer knows no record shape of stream "${stream}"`);
  }
}

/** Options of `hostileRecords`. */
export interface HostileRecordOptions {
  stream: StreamName;
  count: number;
  random: Random;
  /** Processing time at the start: valid records carry times up to it, never after. */
  now: number;
  /** Records larger than this must be refused as `too-large`. */
  maxRecordBytes: number;
}

/** A draft before it is turned into bytes. */
interface Draft {
  mutation: string;
  value: Uint8Array | Record<string, unknown>;
  expect: Expectation;
  field?: string;
  code?: string;
  timestamp?: number;
}

/**
 * `count` inputs for `stream`: about a third valid records, a few resends of
 * recent ones, the rest hostile. Valid records' times rise by 20 ms a record
 * and end before `now`, so none of them is late or ahead of the clock.
 */
export function hostileRecords(options: HostileRecordOptions): HostileRecord[] {
  const { stream, count, random, now, maxRecordBytes } = options;
  const shape = shapeOf(stream);
  const start = now - count * 20 - 1000;
  const recentValid: Array<Record<string, unknown>> = [];
  const out: HostileRecord[] = [];
  for (let index = 0; index < count; index++) {
    const clock = start + index * 20;
    const draft = draftRecord({ shape, random, clock, recentValid, maxRecordBytes });
    const value = draft.value instanceof Uint8Array ? draft.value : utf8(jsonWithRaw(draft.value));
    if (draft.expect === "accept" && !(draft.value instanceof Uint8Array)) {
      recentValid.push(draft.value);
      if (recentValid.length > 40) recentValid.shift();
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(value));
    } catch {
      parsed = undefined;
    }
    out.push({
      index,
      mutation: draft.mutation,
      key: STREAMS.get(stream).source.key(parsed) ?? `fuzz-${index}`,
      value,
      timestamp: draft.timestamp ?? clock,
      expect: draft.expect,
      ...(draft.field ? { field: draft.field } : {}),
      ...(draft.code ? { code: draft.code } : {}),
    });
  }
  return out;
}

interface DraftContext {
  shape: StreamShape;
  random: Random;
  clock: number;
  recentValid: Array<Record<string, unknown>>;
  maxRecordBytes: number;
}

function draftRecord(ctx: DraftContext): Draft {
  const { shape, random, clock, recentValid } = ctx;
  const roll = random.next();
  if (roll < 0.3) return { mutation: "valid", value: shape.valid(random, clock), expect: "accept" };
  if (roll < 0.38 && shape.idPath && recentValid.length > 0) {
    return resend(ctx, random.pick(recentValid));
  }
  if (roll < 0.46) return refusedBytes(ctx);
  return mutate(ctx, shape.valid(random, clock));
}

/** A resend of a recent valid record: as it was, with its id in capitals, or changed. */
function resend(ctx: DraftContext, original: Record<string, unknown>): Draft {
  const { shape, random, clock } = ctx;
  const idPath = shape.idPath!;
  const copy = structuredClone(original);
  const how = random.pick(["exact", "changed", ...(idPath === "login.uuid" ? ["upper-case"] : [])]);
  if (how === "upper-case") setPath(copy, idPath, String(getPath(copy, idPath)).toUpperCase());
  if (how === "changed") {
    const fresh = shape.valid(random, clock);
    for (const path of [idPath, ...shape.keptOnResend ?? []]) {
      setPath(fresh, path, getPath(copy, path));
    }
    return {
      mutation: `resend with id ${getPath(copy, idPath)}, other fields new`,
      value: fresh,
      expect: "duplicate",
      code: "duplicate",
    };
  }
  return {
    mutation: `resend (${how}) of id ${getPath(original, idPath)}`,
    value: copy,
    expect: "duplicate",
    code: "duplicate",
  };
}

/** Inputs no stream may accept: not JSON, not UTF-8, not an object, too large. */
function refusedBytes(ctx: DraftContext): Draft {
  const { shape, random, clock, maxRecordBytes } = ctx;
  const valid = shape.valid(random, clock);
  const json = JSON.stringify(valid);
  switch (random.int(0, 5)) {
    case 0:
      return {
        mutation: "not JSON",
        value: utf8(
          random.pick(["", " ", "{", "{oops", "[1,2", "undefined", "NaN", "'x'", '{"a":}']),
        ),
        expect: "refuse",
      };
    case 1:
      return {
        mutation: "truncated JSON",
        value: utf8(json.slice(0, random.int(1, json.length - 1))),
        expect: "refuse",
      };
    case 2: {
      const cut = json.indexOf('"', random.int(1, json.length - 2)) + 1 || 1;
      return {
        mutation: "invalid UTF-8 inside a string",
        value: concat(utf8(json.slice(0, cut)), invalidUtf8(random), utf8(json.slice(cut))),
        expect: "refuse",
      };
    }
    case 3:
      return {
        mutation: "not an object",
        value: utf8(random.pick(["null", "1", '"x"', "true", "[]", `[${json}]`])),
        expect: "refuse",
      };
    case 4:
      return {
        mutation: "deep nesting",
        value: utf8(deepNesting(random, random.int(1_000, 50_000))),
        expect: "refuse",
      };
    default: {
      const padding = "p".repeat(maxRecordBytes + random.int(1, 4096));
      return {
        mutation: `over ${maxRecordBytes} bytes`,
        value: { ...valid, padding },
        expect: "refuse",
        code: "too-large",
      };
    }
  }
}

/** A valid record with one thing wrong, or odd but possibly acceptable. */
function mutate(ctx: DraftContext, record: Record<string, unknown>): Draft {
  const { shape, random, clock } = ctx;
  const spec = random.pick(shape.fields);
  const path = spec.path;
  const name = (what: string) => `${what} at ${path}`;
  switch (random.int(0, 11)) {
    case 0:
      deletePath(record, path);
      return {
        mutation: name("missing"),
        value: record,
        expect: spec.required ? "refuse" : "either",
        field: path,
      };
    case 1: {
      const wrong = wrongType(random, spec.kind);
      setPath(record, path, wrong);
      return {
        mutation: name(`wrong type ${JSON.stringify(wrong)}`),
        value: record,
        // An optional field given null reads as absent.
        expect: spec.kind === "other" || !spec.required && (spec.kind === "enum" || wrong === null)
          ? "either"
          : "refuse",
        field: path,
      };
    }
    case 2: {
      if (spec.kind !== "text") return mutate(ctx, record);
      const value = `${String(getPath(record, path) ?? "")}${
        random.pick(["\u001f", "\u0000", "\u0007"])
      }x`;
      setPath(record, path, value);
      return { mutation: name("control character"), value: record, expect: "refuse", field: path };
    }
    case 3: {
      const value = hostileString(random);
      setPath(record, path, value);
      return {
        mutation: name(`hostile string ${JSON.stringify(value.slice(0, 40))}`),
        value: record,
        expect: "either",
      };
    }
    case 4: {
      if (!["number", "integer", "decimal"].includes(spec.kind)) return mutate(ctx, record);
      const raw = hostileNumberText(random);
      setPath(record, path, { raw });
      return {
        mutation: name(`number ${raw.slice(0, 40)}`),
        value: record,
        expect: overflowsToInfinity(raw) ? "refuse" : "either",
        field: path,
      };
    }
    case 5: {
      if (spec.kind !== "decimal") return mutate(ctx, record);
      const value = hostileDecimalText(random);
      setPath(record, path, value);
      const expands = /e\+?9/i.test(value);
      return {
        mutation: name(`decimal text ${JSON.stringify(value)}`),
        value: record,
        expect: expands ? "refuse" : "either",
        field: path,
      };
    }
    case 6: {
      const at = shape.timePath;
      if (!at) {
        return {
          mutation: "broker timestamp in 2099",
          value: record,
          expect: "refuse",
          timestamp: Date.UTC(2099, 0, 1),
        };
      }
      const value = futureTimestamp(random, clock);
      setPath(record, at, value);
      return {
        mutation: `future time ${value} at ${at}`,
        value: record,
        expect: "refuse",
        field: at,
      };
    }
    case 7: {
      const at = shape.timePath ?? "dob.date";
      const value = oddTimestamp(random, clock);
      setPath(record, at, value);
      return {
        mutation: `odd time ${JSON.stringify(value)} at ${at}`,
        value: record,
        expect: "either",
      };
    }
    case 8: {
      const key = random.pick(["__proto__", "constructor", "prototype"]);
      const value = JSON.parse(`{"${key}":{"polluted":"yes","toString":1}}`);
      return { mutation: `prototype key ${key}`, value: { ...record, ...value }, expect: "either" };
    }
    case 9:
      return bigAmounts(ctx, record);
    case 10: {
      const value = "x".repeat(random.int(10_000, 300_000));
      if (spec.kind !== "text") return mutate(ctx, record);
      setPath(record, path, value);
      return { mutation: name(`${value.length} characters`), value: record, expect: "either" };
    }
    default:
      return {
        mutation: "unknown extra field",
        value: { ...record, extra: hostileString(random) },
        expect: "either",
      };
  }
}

function wrongType(random: Random, kind: Kind): unknown {
  const candidates: unknown[] = [null, true, [], {}, [1], { a: 1 }];
  if (kind === "text" || kind === "time" || kind === "enum" || kind === "other") {
    candidates.push(42, -1.5);
  }
  if (kind === "number" || kind === "integer") candidates.push("12", "");
  if (kind === "decimal") candidates.push("abc", "");
  return random.pick(candidates);
}

/** Amounts that pass simple checks but reach the limits of exact arithmetic. */
function bigAmounts(ctx: DraftContext, record: Record<string, unknown>): Draft {
  const { random } = ctx;
  if ("unit_price" in record) {
    const digits = random.int(10, 36);
    const unit = `${"9".repeat(digits)}.99`;
    const quantity = random.int(1, 1_000_000);
    const total = (BigInt(unit.replace(".", "")) * BigInt(quantity)).toString();
    record.unit_price = { raw: unit };
    record.quantity = quantity;
    record.total = `${total.slice(0, -2)}.${total.slice(-2)}`;
    return { mutation: `sale of ${quantity} × ${unit}`, value: record, expect: "either" };
  }
  if ("kdv" in record) {
    const price = random.pick([
      `${"9".repeat(random.int(15, 40))}.99`,
      "1e39",
      "99999999999999999999999999999999999999.99",
    ]);
    record.price = random.next() < 0.5 ? price : { raw: price };
    return { mutation: `price ${price}`, value: record, expect: "either" };
  }
  return {
    mutation: "unknown extra field",
    value: { ...record, extra: hostileNumberText(random) },
    expect: "either",
  };
}
