/**
 * What the consumer-group tests do to a running app fixture: keep producing
 * users under load, and read the users processor's group and `/readyz`
 * through the HTTP API as an operator's script would.
 */

import assert from "node:assert/strict";
import type { Fixture } from "./app_fixture.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { delay } from "../pipeline/async.ts";
import type { GroupWithHistory } from "../server/groups_data.ts";

/** How `produceUnderLoad` produces. */
export interface Load {
  seed: number;
  /** Users per produce. */
  batch: number;
  /** Pause between two produces, ms. */
  everyMs: number;
}

/** Produces generated users until the returned function is called; it resolves once producing stopped. */
export function produceUnderLoad(f: Fixture, load: Load): () => Promise<void> {
  const random = seededRandom(load.seed);
  const stop = new AbortController();
  const producing = (async () => {
    while (!stop.signal.aborted) {
      await f.produce(Array.from({ length: load.batch }, () => generateUser(random, Date.now())));
      await delay(load.everyMs, stop.signal);
    }
  })();
  return async () => {
    stop.abort();
    await producing;
  };
}

/** The users processor's group from `/api/console/groups/<group>`, or `undefined` while the API has none (404). */
export async function findUsersGroup(f: Fixture): Promise<GroupWithHistory | undefined> {
  const res = await f.app.request(`/api/console/groups/${USERS.group}`);
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  assert.equal(res.status, 200);
  const [entry] = await res.json() as GroupWithHistory[];
  return entry;
}

/** The users processor's group, which must be there. */
export async function usersGroup(f: Fixture): Promise<GroupWithHistory> {
  const entry = await findUsersGroup(f);
  assert.ok(entry, `no group ${USERS.group} in the groups API`);
  return entry;
}

/** `/readyz`'s status and JSON body. */
export async function readiness(
  f: Fixture,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await f.app.request("/readyz");
  return { status: res.status, body: await res.json() };
}
