import { endpoints, fuzzHttp, USER_ENDPOINTS } from "./http_fuzz.ts";
import { summarize } from "./findings.ts";
import { TEST_COUNT, TEST_SEED } from "./fuzz_seeds.ts";

const PAGES = endpoints().filter((e) => !USER_ENDPOINTS.includes(e));

Deno.test(`fuzz: ${TEST_COUNT} hostile requests to each page, stream and file endpoint (${PAGES.join(", ")}): no 5xx, a 4xx says why, nothing from outside static/, memory back`, async () => {
  const result = await fuzzHttp({ seed: TEST_SEED, count: TEST_COUNT, only: PAGES });
  if (result.findings.length > 0) {
    throw new Error(
      `${result.findings.length} broken invariant(s); replay: deno task fuzz --http --seed ${TEST_SEED}\n${
        summarize(result.findings)
      }`,
    );
  }
});
