/**
 * Fills a raw store with generated user profiles stored as the processor
 * stores them, fast (no broker, no aggregates), for the read-time bench and
 * the read tests at scale; the read models keep the newest as the
 * processor's would.
 */

import type { RawStore, StoredDocument } from "../pipeline/ports.ts";
import { seededRandom } from "../pipeline/random.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { validateUser } from "../pipeline/users/validate.ts";
import { NEWEST_KEPT, userDocument, userId, USERS } from "../pipeline/users/users_stream.ts";
import { mergeNewest, newestChange } from "../pipeline/newest_documents.ts";
import {
  partitionNewest,
  READ_MODELS,
  readModelDocument,
  saveNewestChange,
} from "../pipeline/read_models.ts";

/** What `fillUsers` stores. */
export interface UserFill {
  /** Profiles to store. */
  count: number;
  /** Event time of the last one, ms; each is a millisecond after the one before. */
  until: number;
  /** Profiles per upsert (default 1000). */
  batch?: number;
  /** Generator seed (default 1). */
  seed?: number;
  /** Told how many are stored after each upsert. */
  progress?(stored: number): void;
}

/**
 * Stores `count` generated users in the users collection, then the newest
 * of them as partition 0 keeps them (on a raw store that does not list
 * from an index), and its read model.
 */
export async function fillUsers(raw: RawStore, fill: UserFill): Promise<void> {
  const size = fill.batch ?? 1000;
  const random = seededRandom(fill.seed ?? 1);
  const keepsNewest = !raw.listsNewestFromIndex;
  let newest: StoredDocument[] = [];
  for (let stored = 0; stored < fill.count;) {
    const docs: StoredDocument[] = [];
    for (let i = 0; i < size && stored + i < fill.count; i++) {
      const ts = fill.until - fill.count + 1 + stored + i;
      const user = validateUser(generateUser(random, ts), ts);
      docs.push({ id: userId(user.uuid), ts, doc: userDocument(user, ts) });
    }
    await raw.upsert(USERS.collection, docs);
    if (keepsNewest) newest = mergeNewest(newest, docs, NEWEST_KEPT);
    stored += docs.length;
    fill.progress?.(stored);
  }
  // As the processor keeps them, when it does: the newest of these and of those kept before, no more.
  if (keepsNewest) {
    const of = { stream: USERS.name, partition: 0 };
    const kept = await partitionNewest(raw, of);
    await saveNewestChange(raw, of, newestChange(kept, newest, NEWEST_KEPT));
  }
  await raw.upsert(READ_MODELS, [
    readModelDocument(USERS.name, { partition: 0, model: {} }, fill.until),
  ]);
}
