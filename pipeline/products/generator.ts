/** A seeded generator of the VAT job's product records, shaped as the reference job's input. */

import type { Random } from "../random.ts";
import { formatZoneless } from "../windowing/event_time.ts";
import { at } from "../validation.ts";
import type { ProductRecord } from "./products.ts";

const ITEMS: ReadonlyArray<readonly [string, string, number, number]> = [
  ["Televizyon", "LG OLED TV", 18000, 0.18],
  ["Buzdolabı", "Arçelik no-frost buzdolabı", 24500, 0.18],
  ["Çamaşır Makinesi", "Bosch 9 kg çamaşır makinesi", 16999.9, 0.18],
  ["Laptop", '14" dizüstü bilgisayar, 16 GB', 32999, 0.2],
  ["Telefon", "Akıllı telefon, 128 GB", 21999.99, 0.2],
  ["Kitap", "Roman, ciltli", 189.5, 0.01],
  ["Ekmek", "Tam buğday ekmeği", 19.99, 0.01],
  ["Süt", "Tam yağlı süt, 1 L", 34.75, 0.01],
  ["Kahve", "Filtre kahve, 500 g", 299.9, 0.08],
  ["Ayakkabı", "Koşu ayakkabısı", 2499, 0.1],
  ["Mont", "Su geçirmez mont", 3799.95, 0.1],
  ["Kulaklık", "Kablosuz kulaklık", 1899, 0.2],
];

/** A product record with the current time, zone-less UTC as the reference job's column. */
export function generateProduct(random: Random, now: number): ProductRecord {
  const [product, description, price, kdv] = random.pick(ITEMS);
  const used = random.next() < 0.2;
  return {
    id: random.int(1, 50),
    product,
    description: used ? `ikinci el ${description}` : description,
    price: used ? Math.round(price * 60) / 100 : price,
    kdv,
    timestamp_column: formatZoneless(now),
  };
}

/** The partitioning key of a product record: its id. */
export function productKey(value: unknown): string | null {
  const id = at(value, "id");
  return typeof id === "number" || (typeof id === "string" && id !== "") ? String(id) : null;
}
