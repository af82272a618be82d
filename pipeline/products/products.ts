/**
 * The products VAT job's records: validation and the exact total
 * `price × (1 + kdv)`, rounded half away from zero to the cent. Pure.
 */

import { add, type Decimal, format, multiply, ONE, parseDecimal, round } from "../decimal.ts";
import { at, InvalidFieldError, isObject, stringAt } from "../validation.ts";
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
 * Validates a product record and computes its total.
 * @throws {TypeError} naming the field for bad input
 */
export function validateProduct(value: unknown): PricedProduct {
  if (!isObject(value)) throw new InvalidFieldError("(record)", "a JSON object", value);
  const id = at(value, "id");
  if (
    !(typeof id === "number" && Number.isInteger(id) && id >= 0) &&
    !(typeof id === "string" && id.trim() !== "")
  ) {
    throw new InvalidFieldError("id", "a whole number or a non-empty string", id);
  }
  const price = parseDecimal(at(value, "price"), "price");
  if (price.units < 0n) throw new InvalidFieldError("price", "at least 0", at(value, "price"));
  const kdv = parseDecimal(at(value, "kdv"), "kdv");
  if (kdv.units < 0n || kdv.units > 10n ** BigInt(kdv.scale)) {
    throw new InvalidFieldError("kdv", "a rate from 0 to 1 (0.18 is 18 %)", at(value, "kdv"));
  }
  const timestamp = stringAt(value, "timestamp_column");
  return {
    id: String(id),
    product: stringAt(value, "product"),
    description: stringAt(value, "description", true),
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
export function addProduct(sums: ProductSums, product: PricedProduct): ProductSums {
  return {
    records: sums.records + 1,
    sumPrice: format(
      add(parseDecimal(sums.sumPrice, "sumPrice"), parseDecimal(product.price, "price")),
    ),
    sumTotal: format(
      add(parseDecimal(sums.sumTotal, "sumTotal"), parseDecimal(product.total, "total")),
    ),
  };
}

/** Sums of an empty window. */
export function noProducts(): ProductSums {
  return { records: 0, sumPrice: "0.00", sumTotal: "0.00" };
}
