import { fuzzHttp, USER_ENDPOINTS } from "./http_fuzz.ts";
import { failOnFindings } from "./findings.ts";
import { TEST_COUNT, TEST_SEED } from "./fuzz_seeds.ts";

Deno.test(`fuzz: ${TEST_COUNT} hostile requests to each users endpoint (${USER_ENDPOINTS.join(", ")}): no 5xx, a 4xx says why, no secret served, users counted exactly, memory back`, async () => {
  const result = await fuzzHttp({ seed: TEST_SEED, count: TEST_COUNT, only: USER_ENDPOINTS });
  failOnFindings(result.findings, `deno task fuzz --http --seed ${TEST_SEED}`);
});
