/** Waiting in tests for something that happens in the background. */

import { delay } from "../async.ts";

/**
 * Polls `done` every 10 ms until it is true.
 * @throws {Error} when it is still false after `timeoutMs`
 */
export async function until(done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("not done in time");
    await delay(10);
  }
}
