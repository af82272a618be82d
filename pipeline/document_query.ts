/**
 * What every raw store checks of a `DocumentQuery` before it turns it into its
 * own query language: field names are plain identifiers (never a path, an
 * operator or SQL), numbers are finite. A query failing this is a bug in our
 * code (user input is validated before it becomes a query), so it throws.
 */

import type { DocumentQuery, FieldCondition } from "./ports.ts";

/** Field names a `FieldCondition` may name. */
export const QUERY_FIELD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The query's conditions, each checked; throws on a field name or number no store may be given. */
export function checkedConditions(query: DocumentQuery): readonly FieldCondition[] {
  for (const bound of [query.from, query.to]) {
    if (bound !== undefined && !Number.isFinite(bound)) {
      throw new Error(`a document query's time bound must be a finite number, got ${bound}`);
    }
  }
  const where = query.where ?? [];
  for (const condition of where) {
    if (!QUERY_FIELD.test(condition.field)) {
      throw new Error(`a document query may not name the field ${JSON.stringify(condition.field)}`);
    }
    if ("min" in condition || "max" in condition) {
      for (const bound of [condition.min, condition.max]) {
        if (bound !== undefined && !Number.isFinite(bound)) {
          throw new Error(`the range of ${condition.field} must be finite, got ${bound}`);
        }
      }
    }
  }
  return where;
}

/** Escapes `text` for use as a literal inside a regular expression. */
export function literalPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
