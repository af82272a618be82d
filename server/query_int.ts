/** The one reader of whole numbers from a query string. */

import { HttpError } from "./http_error.ts";

/** Bounds and default of a query parameter. */
export interface QueryIntOptions {
  /** Smallest value accepted. */
  min: number;
  /** Largest value accepted. */
  max: number;
  /** Value when the parameter is absent. */
  fallback: number;
}

/**
 * Reads `name` from `params` as a plain decimal integer (digits only, so
 * `0x10`, `1e2`, `+5`, ` 5` and `5.0` are refused, not reinterpreted).
 *
 * @throws {HttpError} 400 naming the parameter, the range and what came, or
 *   when the parameter is repeated (which value counts would be a guess).
 * @example
 * const limit = queryInt(url.searchParams, "limit", { min: 1, max: 500, fallback: 50 });
 */
export function queryInt(
  params: URLSearchParams,
  name: string,
  { min, max, fallback }: QueryIntOptions,
): number {
  const given = params.getAll(name);
  if (given.length === 0) return fallback;
  if (given.length > 1) {
    throw new HttpError(400, `${name} may be given once, got it ${given.length} times`);
  }
  const text = given[0];
  const value = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new HttpError(
      400,
      `${name} must be a whole number from ${min} to ${max} in plain digits, got ${
        JSON.stringify(text.slice(0, 40))
      }`,
    );
  }
  return value;
}
