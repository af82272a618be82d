/** Seeds a data directory's users topic with generated profiles, and checks what was stored of them, for end-to-end tests. */

import assert from "node:assert/strict";
import type { Config } from "../config.ts";
import { openPipeline } from "../pipeline/wiring.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { userStats } from "../server/users_data.ts";

/** How many of the seeded users are of each gender. */
export interface SeededGenders {
  male: number;
  female: number;
}

/**
 * Produces `count` users generated from `seed` to the users topic of
 * `config`'s broker, in appends of 1,000; says how many are of each gender.
 */
export async function seedUsers(
  config: Config,
  { count, seed }: { count: number; seed: number },
): Promise<SeededGenders> {
  const random = seededRandom(seed);
  const genders = { male: 0, female: 0 };
  const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  const encoder = new TextEncoder();
  try {
    for (let i = 0; i < count; i += 1000) {
      const batch = Array.from(
        { length: Math.min(1000, count - i) },
        () => generateUser(random, Date.now()),
      );
      for (const u of batch) genders[u.gender as keyof SeededGenders]++;
      await pipeline.broker.produce(
        USERS.topic,
        batch.map((u) => ({ key: u.login.uuid, value: encoder.encode(JSON.stringify(u)) })),
      );
    }
  } finally {
    await pipeline.close();
  }
  return genders;
}

/**
 * Asserts that `config`'s stores hold each of the `count` seeded users once:
 * as many documents, and totals by gender and by country that add up exactly.
 */
export async function assertEachUserOnce(
  config: Config,
  { count, genders }: { count: number; genders: SeededGenders },
): Promise<void> {
  const check = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  try {
    assert.equal(await check.raw.count(USERS.collection), count, "every document, once");
    assert.deepEqual(await userStats(check.aggregates), {
      total: count,
      ...genders,
      other: 0,
      rejected: 0,
    });
    const countries = await check.aggregates.totals(USERS.name, "country");
    assert.equal(countries.reduce((sum, t) => sum + t.value, 0n), BigInt(count));
  } finally {
    await check.close();
  }
}
