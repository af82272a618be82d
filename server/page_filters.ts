/**
 * A page's view as its URL query states it: a time range and the page's
 * filters. Parsed and checked here, once, for the page route, its JSON and
 * SSE paths and its exports, so a link shows the same view everywhere. Bad
 * values are a 400 naming the parameter; numbers are plain decimal integers.
 */

import { HttpError } from "./http_error.ts";
import { queryInt } from "./query_int.ts";
import { DEVICE_TYPES, ITEM_IDS } from "../pipeline/clickstream/events.ts";

/** The time ranges a page offers besides a custom one, with their length in ms (`null`: everything). */
export const TIME_PRESETS = {
  "5m": 300_000,
  "1h": 3_600_000,
  "1d": 86_400_000,
  all: null,
} as const;

/** A preset time range. */
export type TimePreset = keyof typeof TIME_PRESETS;

/** How one filter parameter is read. */
export type FilterSpec =
  | { kind: "choice"; values: readonly string[] }
  | { kind: "text" }
  | { kind: "int"; min: number; max: number };

const TEXT: FilterSpec = { kind: "text" };

/** Longest text a filter takes. */
export const MAX_FILTER_TEXT = 100;

/** Latest time a custom range may name, ms (year 9999), so every bound is a valid date. */
const MAX_TIME = 253_402_300_799_999;

/** The filters of each shipped page, by query parameter; other pages take a time range only. */
export const PAGE_FILTERS: Readonly<Record<string, Readonly<Record<string, FilterSpec>>>> = {
  users: {
    gender: { kind: "choice", values: ["male", "female", "other"] },
    country: TEXT,
    ageMin: { kind: "int", min: 0, max: 150 },
    ageMax: { kind: "int", min: 0, max: 150 },
    name: TEXT,
  },
  sales: { product: TEXT, category: TEXT, city: TEXT },
  clicks: {
    device: { kind: "choice", values: DEVICE_TYPES },
    item: { kind: "int", min: ITEM_IDS.min, max: ITEM_IDS.max },
  },
  products: {},
};

/** Parameters every view takes: a preset range, or a custom one from `from` to `to` (ms). */
export const TIME_PARAMETERS = ["range", "from", "to"] as const;

/** A page's view: the time range and the filters that are set. */
export interface PageView {
  /** A preset, or `custom` with `from` and/or `to`. */
  range: TimePreset | "custom";
  /** Custom range start, ms since the epoch (included). */
  from?: number;
  /** Custom range end, ms since the epoch (left out). */
  to?: number;
  /** The page's filters that are set, by parameter. */
  filters: Readonly<Record<string, string | number>>;
}

/** The view of a page with nothing narrowed: everything, no filter. */
export const WHOLE_VIEW: PageView = { range: "all", filters: {} };

/** Options of `parseView`. */
export interface ParseViewOptions {
  /** Further parameters the route itself reads (`limit`, `lastEventId`, ...). */
  allow?: readonly string[];
}

/**
 * The view `params` state for `page`. An empty value counts as not given (a
 * form sends its empty fields).
 *
 * @throws {HttpError} 400 for an unknown or repeated parameter, a value out
 *   of its choices or range, or a custom range that ends before it starts.
 */
export function parseView(
  page: string,
  params: URLSearchParams,
  options: ParseViewOptions = {},
): PageView {
  const specs = PAGE_FILTERS[page] ?? {};
  const known = new Set<string>([
    ...TIME_PARAMETERS,
    ...Object.keys(specs),
    ...options.allow ?? [],
  ]);
  const set = new URLSearchParams();
  for (const [name, value] of params) {
    if (!known.has(name)) {
      throw new HttpError(
        400,
        `unknown parameter ${JSON.stringify(name.slice(0, 40))}; this page takes ${
          [...known].join(", ")
        }`,
      );
    }
    if (value !== "") set.append(name, value);
  }
  const filters: Record<string, string | number> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = readFilter(set, name, spec);
    if (value !== undefined) filters[name] = value;
  }
  if (
    typeof filters.ageMin === "number" && typeof filters.ageMax === "number" &&
    filters.ageMin > filters.ageMax
  ) {
    throw new HttpError(
      400,
      `ageMin (${filters.ageMin}) must not exceed ageMax (${filters.ageMax})`,
    );
  }
  return { ...readRange(set), filters };
}

function readRange(set: URLSearchParams): Omit<PageView, "filters"> {
  const time = { min: 0, max: MAX_TIME, fallback: -1 };
  const from = queryInt(set, "from", time);
  const to = queryInt(set, "to", time);
  const range = single(set, "range");
  const custom = from >= 0 || to >= 0;
  if (custom) {
    if (range !== undefined && range !== "custom") {
      throw new HttpError(
        400,
        `range=${range} cannot be combined with from or to; use range=custom`,
      );
    }
    if (from >= 0 && to >= 0 && from >= to) {
      throw new HttpError(400, `from (${from}) must be before to (${to})`);
    }
    return { range: "custom", ...(from >= 0 ? { from } : {}), ...(to >= 0 ? { to } : {}) };
  }
  if (range === undefined) return { range: "all" };
  if (!Object.hasOwn(TIME_PRESETS, range)) {
    throw new HttpError(
      400,
      `range must be one of ${Object.keys(TIME_PRESETS).join(", ")}, or custom with from/to, got ${
        JSON.stringify(range.slice(0, 40))
      }`,
    );
  }
  return { range: range as TimePreset };
}

function single(set: URLSearchParams, name: string): string | undefined {
  const given = set.getAll(name);
  if (given.length > 1) {
    throw new HttpError(400, `${name} may be given once, got it ${given.length} times`);
  }
  return given[0];
}

function readFilter(
  set: URLSearchParams,
  name: string,
  spec: FilterSpec,
): string | number | undefined {
  if (spec.kind === "int") {
    const value = queryInt(set, name, { min: spec.min, max: spec.max, fallback: -1 });
    return value === -1 ? undefined : value;
  }
  const value = single(set, name);
  if (value === undefined) return undefined;
  if (spec.kind === "choice") {
    if (!spec.values.includes(value)) {
      throw new HttpError(
        400,
        `${name} must be one of ${spec.values.join(", ")}, got ${
          JSON.stringify(value.slice(0, 40))
        }`,
      );
    }
    return value;
  }
  // Control characters are never part of a name, city or product; refusing them keeps logs and CSV headers clean.
  // deno-lint-ignore no-control-regex
  if (value.length > MAX_FILTER_TEXT || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new HttpError(
      400,
      `${name} must be text of at most ${MAX_FILTER_TEXT} characters without control characters`,
    );
  }
  return value;
}

/** The event-time bounds of a view at `now` (ms): `from` included, `to` left out; absent ends are open. */
export function viewBounds(view: PageView, now: number): { from?: number; to?: number } {
  if (view.range === "custom") {
    return {
      ...(view.from !== undefined ? { from: view.from } : {}),
      ...(view.to !== undefined ? { to: view.to } : {}),
    };
  }
  const length = TIME_PRESETS[view.range];
  return length === null ? {} : { from: now - length };
}

/** True when the view shows less than everything (a time range or a filter is set). */
export function isNarrowed(view: PageView): boolean {
  return view.range !== "all" || Object.keys(view.filters).length > 0;
}

/** The view as a query string (`?range=1h&gender=female`, `""` for the whole view), parameters in a fixed order. */
export function viewSearch(view: PageView): string {
  const params = new URLSearchParams();
  if (view.range === "custom") {
    if (view.from !== undefined) params.set("from", String(view.from));
    if (view.to !== undefined) params.set("to", String(view.to));
  } else if (view.range !== "all") {
    params.set("range", view.range);
  }
  for (const [name, value] of Object.entries(view.filters)) params.set(name, String(value));
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
