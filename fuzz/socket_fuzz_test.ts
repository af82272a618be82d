import { fuzzSocket } from "./socket_fuzz.ts";
import { summarize } from "./findings.ts";
import { TEST_SEED } from "./fuzz_seeds.ts";

/** Requests over the socket in a test run, spread over every endpoint. */
const SOCKET_COUNT = 400;

Deno.test(`fuzz: ${SOCKET_COUNT} hostile requests over a real socket, raw request lines included: no 5xx, no server failure or restart logged, counts exact`, async () => {
  const result = await fuzzSocket({ seed: TEST_SEED, count: SOCKET_COUNT });
  if (result.findings.length > 0) {
    throw new Error(
      `${result.findings.length} broken invariant(s); replay: deno task fuzz --socket --seed ${TEST_SEED}\n${
        summarize(result.findings)
      }`,
    );
  }
});
