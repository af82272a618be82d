/**
 * The products VAT job's records: validation and the exact total
 * `price × (1 + kdv)`, rounded half away from zero to the cent. Pure.
 */

import {
  add,
  type Decimal,
  format,
  multiply,
  ONE,
  parseDecimal,
  parseFormatted,
  round,
} from "../decimal.ts";
import { at, checkNumber, checkText, InvalidFieldError, isObject, textAt } from "../validation.ts";
import { parseEventTime } from "../windowing/event_time.ts";

/** A product record as the reference job reads it (field names as given). */
export interface ProductRecord {
  id: number | string;
  product: string;
  description: string;
  price: number | string;
  kdv: number | string;
  timestamp_column: string;
}

/** A validated product with its exact total and event time. */
export interface PricedProduct {
  id: string;
  product: string;
  description: string;
  /** Decimal text as received (`19.99`). */
  price: string;
  kdv: string;
  /** `price × (1 + kdv)` to the cent (`21.59`). */
  total: string;
  /** The record's timestamp text. */
  timestamp: string;
  /** Event time, ms since the epoch (zone-less timestamps are UTC). */
  ts: number;
}

/** The VAT-inclusive total of a price, exact to the cent. */
export function vatTotal(price: Decimal, kdv: Decimal): Decimal {
  return round(multiply(price, add(ONE, kdv)), 2);
}

/**
 * What a product record may hold. A numeric id must be a safe integer, so
 * the id stored is the number sent (a larger one was already changed by the
 * JSON parser); a text id is kept as sent, spaces included.
 */
export const PRODUCT_LIMITS = {
  numericId: { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER },
  textId: { max: 128 },
  product: { max: 200 },
  description: { max: 2000, allowEmpty: true, multiline: true },
  price: { min: 0, max: 1_000_000_000_000 },
  kdv: { min: 0, max: 1 },
  timestamp: { max: 64 },
} as const;

/**
 * Validates a product record and computes its total. Every field is within
 * `PRODUCT_LIMITS`; text is kept exactly as sent.
 * @throws {InvalidFieldError} naming the field for bad input
 */
export function validateProduct(value: unknown): PricedProduct {
  if (!isObject(value)) {
    throw new InvalidFieldError({ path: "(record)", expected: "a JSON object", got: value });
  }
  const rawId = at(value, "id");
  if (typeof rawId !== "number" && typeof rawId !== "string") {
    throw new InvalidFieldError({
      path: "id",
      expected: "a whole number or non-empty text",
      got: rawId,
    });
  }
  const id = typeof rawId === "number"
    ? String(checkNumber(rawId, "id", PRODUCT_LIMITS.numericId))
    : checkText(rawId, "id", PRODUCT_LIMITS.textId);
  const price = parseDecimal(at(value, "price"), "price", PRODUCT_LIMITS.price);
  const kdv = parseDecimal(at(value, "kdv"), "kdv", PRODUCT_LIMITS.kdv);
  const timestamp = textAt(value, "timestamp_column", PRODUCT_LIMITS.timestamp);
  return {
    id,
    product: textAt(value, "product", PRODUCT_LIMITS.product),
    description: textAt(value, "description", PRODUCT_LIMITS.description),
    price: format(price),
    kdv: format(kdv),
    total: format(vatTotal(price, kdv)),
    timestamp,
    ts: parseEventTime(timestamp, "timestamp_column"),
  };
}

/** Running sums of a products window, as exact decimal text. */
export interface ProductSums {
  records: number;
  sumPrice: string;
  sumTotal: string;
}

/** Folds a product into a window's sums. */
export function addProduct(
  sums: ProductSums,
  product: Pick<PricedProduct, "price" | "total">,
): ProductSums {
  return {
    records: sums.records + 1,
    sumPrice: format(
      add(parseFormatted(sums.sumPrice), parseFormatted(product.price)),
    ),
    sumTotal: format(
      add(parseFormatted(sums.sumTotal), parseFormatted(product.total)),
    ),
  };
}

/** Sums of an empty window. */
export function noProducts(): ProductSums {
  return { records: 0, sumPrice: "0.00", sumTotal: "0.00" };
}
