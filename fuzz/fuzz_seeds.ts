/** The fixed seeds `deno task test` runs the fuzz suite with; `deno task fuzz` tries fresh ones. */

/** Seed of the test runs (replay a failure with `deno task fuzz --seed 20250216`). */
export const TEST_SEED = 20250216;

/** Inputs per HTTP endpoint and per stream in a test run. */
export const TEST_COUNT = 1000;
