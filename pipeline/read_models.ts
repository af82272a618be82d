/**
 * Read models: what a page shows of a stream's window state, written by the
 * processor beside each partition's checkpoint (raw-store documents, so both
 * modes have them) and read by the web instead of the processor's private
 * checkpoints.
 */

import type { JsonObject, RawStore, StoredDocument } from "./ports.ts";

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
