import { STREAMS } from "../pipeline/stream_registry.ts";
import { fuzzStream } from "./stream_fuzz.ts";
import { summarize } from "./findings.ts";
import { TEST_COUNT, TEST_SEED } from "./fuzz_seeds.ts";

for (const stream of STREAMS.names) {
  Deno.test(`fuzz: ${TEST_COUNT} hostile records on ${stream} are each stored or dead-lettered once, counts exact`, async () => {
    const result = await fuzzStream({ stream, seed: TEST_SEED, count: TEST_COUNT });
    if (result.findings.length > 0) {
      throw new Error(
        `${result.findings.length} broken invariant(s) (replay: deno task fuzz --stream ${stream} --seed ${TEST_SEED}):\n${
          summarize(result.findings)
        }`,
      );
    }
  });
}
