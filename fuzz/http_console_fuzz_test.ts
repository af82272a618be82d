import { endpoints, fuzzHttp } from "./http_fuzz.ts";
import { failOnFindings } from "./findings.ts";
import { TEST_COUNT, TEST_SEED } from "./fuzz_seeds.ts";
import { CONSOLE_ENDPOINTS } from "./hostile_console.ts";

const CONSOLE = endpoints().filter((e) => CONSOLE_ENDPOINTS.includes(e));

Deno.test(`fuzz: ${TEST_COUNT} hostile requests to each console endpoint (${CONSOLE.join(", ")}): hostile browse parameters and filters, test messages and replays with and without the write token, dropped tails; no 5xx, a 4xx says why, no request costs seconds, every write counted exactly, viewer slots given back, memory back`, async () => {
  const result = await fuzzHttp({ seed: TEST_SEED, count: TEST_COUNT, only: CONSOLE });
  failOnFindings(result.findings, `deno task fuzz --http --seed ${TEST_SEED}`);
});
