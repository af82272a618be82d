/**
 * Clickstream records for tests: valid ones with the row the archive must
 * hold for them (worked out here, not by the code under test), and invalid
 * ones the archive must skip.
 */

import type { ClickstreamTopic } from "../clickstream/events.ts";
import { seededRandom } from "../random.ts";

/** A valid record as produced, and its event time in ms. */
export interface Sample {
  json: Record<string, unknown>;
  ms: number;
}

const URLS = ["/items/1", "/produits/café?ref=ü", "/search?q=a%20b&x=1", "/商品/😀", ""];
const REVIEWS = ["", "Great!", 'Says "meh",\nthen leaves', "Très bien 👍", "x".repeat(2000)];
const DEVICES = ["mobile", "desktop", "tablet"];
const BASE_MS = Date.UTC(2025, 1, 16, 7, 29, 49, 0);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** The three timestamp forms records carry: ISO with `Z`, zone-less UTC, ISO with an offset. */
function formatTime(ms: number, form: number): string {
  const d = new Date(ms);
  if (form === 0) return d.toISOString();
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (form === 1) {
    return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }
  const local = new Date(ms + 2 * 3_600_000);
  return `${local.toISOString().slice(0, 23)}+02:00`;
}

/** `count` valid records of a topic, the same for the same seed. */
export function samples(topic: ClickstreamTopic, count: number, seed = 1): Sample[] {
  const random = seededRandom(seed);
  const out: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const form = i % 3;
    let ms = BASE_MS + i * 1_137 + random.int(0, 999);
    if (form === 1) ms -= ms % 1000; // the zone-less form has whole seconds only
    const common = {
      user_id: i === 0 ? 1 : i === 1 ? 1000 : random.int(1, 1000),
      item_id: i === 0 ? 500 : random.int(1, 500),
      timestamp: formatTime(ms, form),
    };
    let json: Record<string, unknown>;
    if (topic === "clicks") {
      json = {
        event_type: "click",
        ...common,
        page_url: URLS[i % URLS.length] || `/items/${common.item_id}`,
        click_duration: i % 4 === 0 ? 5 : Math.round(random.next() * 30_000) / 1000,
      };
    } else if (topic === "views") {
      json = {
        event_type: "view",
        ...common,
        view_duration: i % 5 === 0 ? 0 : random.next() * 600,
        device_type: random.pick(DEVICES),
      };
    } else {
      json = {
        event_type: "rating",
        ...common,
        rating: random.int(1, 5),
        review_text: REVIEWS[i % REVIEWS.length],
      };
    }
    out.push({ json, ms });
  }
  return out;
}

/** Records of a topic that fail validation (bytes, with why). */
export function invalidSamples(topic: ClickstreamTopic): { bytes: Uint8Array; why: string }[] {
  const [good] = samples(topic, 1, 99);
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  return [
    { bytes: new TextEncoder().encode("{not json"), why: "not JSON" },
    { bytes: new Uint8Array([0xff, 0xfe]), why: "not UTF-8" },
    { bytes: encode([1, 2]), why: "not an object" },
    { bytes: encode({ ...good.json, event_type: "other" }), why: "wrong event_type" },
    { bytes: encode({ ...good.json, user_id: 0 }), why: "user_id out of range" },
    { bytes: encode({ ...good.json, item_id: 1.5 }), why: "item_id not an integer" },
    { bytes: encode({ ...good.json, timestamp: "yesterday" }), why: "bad timestamp" },
  ];
}

/** The archived row of a sample at a source position, as the reader returns it. */
export function expectedRow(
  sample: Sample,
  partition: number,
  offset: number,
): Record<string, unknown> {
  return {
    ...sample.json,
    timestamp: new Date(sample.ms),
    source_partition: partition,
    source_offset: BigInt(offset),
  };
}
