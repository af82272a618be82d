/**
 * Read models: what a page shows of a stream's window state, written by the
 * processor beside each partition's checkpoint (raw-store documents, so both
 * modes have them) and read by the web instead of the processor's private
 * checkpoints.
 */

import type { Json, JsonObject, RawStore, StoredDocument } from "./ports.ts";
import {
  entryDocument,
  type NewestChange,
  newestCollection,
  newestEntry,
} from "./newest_documents.ts";

/** Raw-store collection holding each windowed partition's read model. */
export const READ_MODELS = "read_models";

/** What the window engine of a partition stands at, written for every windowed stream. */
export interface EngineFigures {
  /** Event-time watermark, ms; `null` before the first record. */
  watermark: number | null;
  /** Windows held open (not fired yet). */
  openWindows: number;
}

/** One partition's read model. */
export interface PartitionReadModel {
  partition: number;
  /** What the stream's page shows (`{}` for a stream that defines none). */
  model: JsonObject;
  /** Where its window engine stands (absent in documents of earlier versions). */
  engine?: EngineFigures;
}

/** Id of a partition's read-model document. */
export function readModelId(stream: string, partition: number): string {
  return `${stream}-${partition}`;
}

/** The document holding a partition's read model, saved at `ts` (ms). */
export function readModelDocument(
  stream: string,
  partition: PartitionReadModel,
  ts: number,
): StoredDocument {
  return {
    id: readModelId(stream, partition.partition),
    ts,
    doc: {
      stream,
      partition: partition.partition,
      model: partition.model,
      ...(partition.engine ? { engine: { ...partition.engine } } : {}),
    },
  };
}

/**
 * The newest documents a read model saved by an earlier version holds (it
 * kept them all in one field, as JSON text), or `undefined` when it has none.
 */
export function legacyNewest(saved: StoredDocument | undefined): StoredDocument[] | undefined {
  const text: Json | undefined = saved?.doc.newest;
  if (typeof text !== "string") return undefined;
  return (JSON.parse(text) as Array<{ id: string; ts: number; doc: JsonObject }>)
    .map(({ id, ts, doc }) => ({ id, ts, doc }));
}

/** A stream's read model of one partition, if the processor wrote one. */
export async function readModel(
  raw: RawStore,
  stream: string,
  partition: number,
): Promise<JsonObject | undefined> {
  const saved = await raw.get(READ_MODELS, readModelId(stream, partition));
  return saved?.doc.model as JsonObject | undefined;
}

/** Every partition's read model of each of `streams`, by stream. */
export async function readModels(
  raw: RawStore,
  streams: readonly string[],
): Promise<Map<string, PartitionReadModel[]>> {
  const out = new Map<string, PartitionReadModel[]>(streams.map((s) => [s, []]));
  for await (const { doc } of raw.all(READ_MODELS)) {
    const models = out.get(String(doc.stream));
    models?.push({
      partition: Number(doc.partition),
      model: doc.model as JsonObject,
      ...(doc.engine ? { engine: doc.engine as unknown as EngineFigures } : {}),
    });
  }
  return out;
}

/**
 * The `limit` newest documents of `stream`, newest first, from the entries
 * its processor keeps (`newestCollection`): one indexed read of `limit`
 * small documents however many are stored; `undefined` when it keeps none
 * (a stream that does not, a raw store that lists from an index, or a
 * processor that has not saved a batch since it started to), so the caller
 * reads the raw store instead.
 */
export async function newestDocuments(
  raw: RawStore,
  stream: string,
  limit: number,
): Promise<StoredDocument[] | undefined> {
  // Entries an earlier version left in such a store are no longer kept up to date.
  if (raw.listsNewestFromIndex) return undefined;
  const { items } = await raw.list(newestCollection(stream), { limit });
  return items.length === 0 ? undefined : items.map(entryDocument);
}

/** Whose kept newest documents: a stream's partition. */
export interface NewestOf {
  stream: string;
  partition: number;
}

/** The newest documents a partition keeps, as its entries hold them (in no order). */
export async function partitionNewest(raw: RawStore, of: NewestOf): Promise<StoredDocument[]> {
  const where = [{ field: "partition", oneOf: [of.partition] }];
  const kept: StoredDocument[] = [];
  for await (const entry of raw.find(newestCollection(of.stream), { where })) {
    kept.push(entryDocument(entry));
  }
  return kept;
}

/**
 * Writes a partition's change to its kept newest: the entries that entered
 * before those that left go, so a reader never sees fewer than the newest.
 */
export async function saveNewestChange(
  raw: RawStore,
  of: NewestOf,
  change: Pick<NewestChange, "entered" | "left">,
): Promise<void> {
  const collection = newestCollection(of.stream);
  await raw.upsert(collection, change.entered.map((d) => newestEntry(of.partition, d)));
  await raw.remove(collection, change.left);
}
