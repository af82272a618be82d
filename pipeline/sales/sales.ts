/**
 * Point-of-sale records: the catalogue, the cities, validation and a seeded
 * generator. Pure: time comes in as a parameter.
 */

import type { Random } from "../random.ts";
import { format, multiply, parseDecimal, round } from "../decimal.ts";
import { at, InvalidFieldError, isObject, numberAt, textAt } from "../validation.ts";
import { parseEventTime } from "../windowing/event_time.ts";

/** A product of the catalogue with its category and list price. */
export interface CatalogueItem {
  product: string;
  category: string;
  price: number;
}

/** The generator's catalogue. */
export const CATALOGUE: readonly CatalogueItem[] = [
  { product: "Laptop", category: "Electronics", price: 1199.0 },
  { product: "Smartphone", category: "Electronics", price: 799.0 },
  { product: "Headphones", category: "Electronics", price: 149.99 },
  { product: "Monitor", category: "Electronics", price: 329.5 },
  { product: "Keyboard", category: "Electronics", price: 89.9 },
  { product: "Coffee Maker", category: "Home", price: 79.99 },
  { product: "Blender", category: "Home", price: 59.95 },
  { product: "Desk Lamp", category: "Home", price: 34.5 },
  { product: "Office Chair", category: "Furniture", price: 249.0 },
  { product: "Bookshelf", category: "Furniture", price: 129.0 },
  { product: "Standing Desk", category: "Furniture", price: 499.0 },
  { product: "Running Shoes", category: "Clothing", price: 119.95 },
  { product: "Rain Jacket", category: "Clothing", price: 89.0 },
  { product: "T-Shirt", category: "Clothing", price: 19.99 },
  { product: "Backpack", category: "Accessories", price: 64.9 },
  { product: "Sunglasses", category: "Accessories", price: 129.0 },
  { product: "Watch", category: "Accessories", price: 249.99 },
  { product: "Novel", category: "Books", price: 14.99 },
  { product: "Cookbook", category: "Books", price: 29.99 },
  { product: "Board Game", category: "Toys", price: 39.99 },
];

/** A sales location. */
export interface City {
  city: string;
  country: string;
  latitude: number;
  longitude: number;
}

/** The generator's cities. */
export const CITIES: readonly City[] = [
  { city: "New York", country: "United States", latitude: 40.7128, longitude: -74.006 },
  { city: "Los Angeles", country: "United States", latitude: 34.0522, longitude: -118.2437 },
  { city: "Chicago", country: "United States", latitude: 41.8781, longitude: -87.6298 },
  { city: "Toronto", country: "Canada", latitude: 43.6532, longitude: -79.3832 },
  { city: "Mexico City", country: "Mexico", latitude: 19.4326, longitude: -99.1332 },
  { city: "São Paulo", country: "Brazil", latitude: -23.5505, longitude: -46.6333 },
  { city: "Buenos Aires", country: "Argentina", latitude: -34.6037, longitude: -58.3816 },
  { city: "London", country: "United Kingdom", latitude: 51.5074, longitude: -0.1278 },
  { city: "Paris", country: "France", latitude: 48.8566, longitude: 2.3522 },
  { city: "Berlin", country: "Germany", latitude: 52.52, longitude: 13.405 },
  { city: "Madrid", country: "Spain", latitude: 40.4168, longitude: -3.7038 },
  { city: "Rome", country: "Italy", latitude: 41.9028, longitude: 12.4964 },
  { city: "Amsterdam", country: "Netherlands", latitude: 52.3676, longitude: 4.9041 },
  { city: "Stockholm", country: "Sweden", latitude: 59.3293, longitude: 18.0686 },
  { city: "Istanbul", country: "Türkiye", latitude: 41.0082, longitude: 28.9784 },
  { city: "Cairo", country: "Egypt", latitude: 30.0444, longitude: 31.2357 },
  { city: "Lagos", country: "Nigeria", latitude: 6.5244, longitude: 3.3792 },
  { city: "Nairobi", country: "Kenya", latitude: -1.2921, longitude: 36.8219 },
  { city: "Johannesburg", country: "South Africa", latitude: -26.2041, longitude: 28.0473 },
  { city: "Dubai", country: "United Arab Emirates", latitude: 25.2048, longitude: 55.2708 },
  { city: "Mumbai", country: "India", latitude: 19.076, longitude: 72.8777 },
  { city: "Singapore", country: "Singapore", latitude: 1.3521, longitude: 103.8198 },
  { city: "Tokyo", country: "Japan", latitude: 35.6762, longitude: 139.6503 },
  { city: "Seoul", country: "South Korea", latitude: 37.5665, longitude: 126.978 },
  { city: "Shanghai", country: "China", latitude: 31.2304, longitude: 121.4737 },
  { city: "Sydney", country: "Australia", latitude: -33.8688, longitude: 151.2093 },
  { city: "Auckland", country: "New Zealand", latitude: -36.8485, longitude: 174.7633 },
];

/** Ways to pay. */
export const PAYMENT_METHODS = ["cash", "credit_card", "debit_card", "mobile"] as const;

/** A sale as produced to the `sales` topic. */
export interface SaleRecord {
  id: string;
  product: string;
  category: string;
  quantity: number;
  unit_price: number;
  total: number;
  payment_method: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  /** ISO 8601 UTC. */
  timestamp: string;
}

/** A validated sale: money in exact cents. */
export interface Sale {
  id: string;
  product: string;
  category: string;
  quantity: number;
  unitPrice: string;
  /** Total in cents. */
  totalCents: number;
  paymentMethod: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  /** Event time, ms since the epoch. */
  ts: number;
}

/**
 * What a sale may hold. One sale's total is at most 10^11 (a hundred billion)
 * in its currency, 10^13 cents: exact as a JS number, with room for a
 * thousand such sales before a sum could leave 2^53.
 */
export const SALE_LIMITS = {
  quantity: { integer: true, min: 1, max: 1_000_000 },
  unitPrice: { min: 0, max: 100_000_000_000 },
  total: { min: 0, max: 100_000_000_000 },
  latitude: { min: -90, max: 90 },
  longitude: { min: -180, max: 180 },
  id: { max: 128 },
  name: { max: 200 },
  country: { max: 200, allowEmpty: true },
  paymentMethod: { max: 64 },
  timestamp: { max: 64 },
} as const;

/**
 * Validates a sale; its total must be quantity × unit price to the cent.
 * Every field is within `SALE_LIMITS`; text is kept exactly as sent.
 * @throws {InvalidFieldError} naming the field for bad input
 */
export function validateSale(value: unknown): Sale {
  if (!isObject(value)) {
    throw new InvalidFieldError({ path: "(record)", expected: "a JSON object", got: value });
  }
  const id = textAt(value, "id", SALE_LIMITS.id);
  const quantity = numberAt(value, "quantity", SALE_LIMITS.quantity);
  const unitPrice = parseDecimal(at(value, "unit_price"), "unit_price", SALE_LIMITS.unitPrice);
  const total = parseDecimal(at(value, "total"), "total", SALE_LIMITS.total);
  const expected = round(multiply(unitPrice, { units: BigInt(quantity), scale: 0 }), 2);
  if (round(total, 2).units !== expected.units) {
    throw new InvalidFieldError({
      path: "total",
      expected: `quantity × unit_price = ${format(expected)}`,
      got: at(value, "total"),
    });
  }
  const payment = textAt(value, "payment_method", SALE_LIMITS.paymentMethod);
  if (!(PAYMENT_METHODS as readonly string[]).includes(payment)) {
    throw new InvalidFieldError({
      path: "payment_method",
      expected: PAYMENT_METHODS.join(", "),
      got: payment,
    });
  }
  return {
    id,
    product: textAt(value, "product", SALE_LIMITS.name),
    category: textAt(value, "category", SALE_LIMITS.name),
    quantity,
    unitPrice: format(unitPrice),
    totalCents: Number(expected.units),
    paymentMethod: payment,
    city: textAt(value, "city", SALE_LIMITS.name),
    country: textAt(value, "country", SALE_LIMITS.country),
    latitude: numberAt(value, "latitude", SALE_LIMITS.latitude),
    longitude: numberAt(value, "longitude", SALE_LIMITS.longitude),
    ts: parseEventTime(textAt(value, "timestamp", SALE_LIMITS.timestamp), "timestamp"),
  };
}

/** The partitioning key of a sale record: its id. */
export function saleKey(value: unknown): string | null {
  const id = at(value, "id");
  return typeof id === "string" && id !== "" ? id : null;
}

const DAY = 86_400_000;

/**
 * A seeded sales generator. Sales carry the current time; with `historyDays`
 * the clock starts that many days back and moves ahead by up to four hours
 * per sale until it reaches real time, so a fresh dashboard fills months of
 * history quickly. (History only suits an empty stream: on a stream that
 * already reached the present, those sales would be later than the watermark.)
 */
export function salesGenerator(historyDays = 0): (random: Random, now: number) => SaleRecord {
  let clock: number | undefined;
  return (random, now) => {
    clock = clock === undefined
      ? now - historyDays * DAY
      : Math.min(now, clock + random.int(0, 4 * 3_600_000));
    const item = random.pick(CATALOGUE);
    const place = random.pick(CITIES);
    const quantity = random.next() < 0.7 ? 1 : random.int(2, 5);
    const unit = Math.round(item.price * (0.9 + random.next() * 0.2) * 100) / 100;
    return {
      id: random.uuid(),
      product: item.product,
      category: item.category,
      quantity,
      unit_price: unit,
      total: Number(format(round(
        multiply(parseDecimal(unit, "unit_price", SALE_LIMITS.unitPrice), {
          units: BigInt(quantity),
          scale: 0,
        }),
        2,
      ))),
      payment_method: random.pick(PAYMENT_METHODS),
      ...place,
      timestamp: new Date(clock).toISOString(),
    };
  };
}
