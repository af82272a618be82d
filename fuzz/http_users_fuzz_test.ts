import { fuzzHttp, USER_ENDPOINTS } from "./http_fuzz.ts";
import { summarize } from "./findings.ts";
import { TEST_COUNT, TEST_SEED } from "./fuzz_seeds.ts";

Deno.test(`fuzz: ${TEST_COUNT} hostile requests to each users endpoint (${USER_ENDPOINTS.join(", ")}): no 5xx, a 4xx says why, no secret served, users counted exactly, memory back`, async () => {
  const result = await fuzzHttp({ seed: TEST_SEED, count: TEST_COUNT, only: USER_ENDPOINTS });
  if (result.findings.length > 0) {
    throw new Error(
      `${result.findings.length} broken invariant(s); replay: deno task fuzz --http --seed ${TEST_SEED}\n${
        summarize(result.findings)
      }`,
    );
  }
});
