import { endpoints, fuzzHttp, USER_ENDPOINTS } from "./http_fuzz.ts";
import { failOnFindings } from "./findings.ts";
import { TEST_COUNT, TEST_SEED } from "./fuzz_seeds.ts";
import { CONSOLE_ENDPOINTS } from "./hostile_console.ts";

const PAGES = endpoints().filter((e) =>
  !USER_ENDPOINTS.includes(e) && !CONSOLE_ENDPOINTS.includes(e)
);

Deno.test(`fuzz: ${TEST_COUNT} hostile requests to each page, stream and file endpoint (${PAGES.join(", ")}): no 5xx, a 4xx says why, nothing from outside static/, memory back`, async () => {
  const result = await fuzzHttp({ seed: TEST_SEED, count: TEST_COUNT, only: PAGES });
  failOnFindings(result.findings, `deno task fuzz --http --seed ${TEST_SEED}`);
});
