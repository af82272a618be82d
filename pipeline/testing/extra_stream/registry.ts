/**
 * The shipped streams plus the test-only temperatures stream: the registry
 * the extra-stream test passes in, exported so workers can load it too.
 */

import { STREAMS } from "../../stream_registry.ts";
import { temperaturesModule } from "./temperatures.ts";

/** Every shipped stream, then temperatures. */
export const WITH_TEMPERATURES = STREAMS.with([temperaturesModule], {
  url: import.meta.url,
  name: "WITH_TEMPERATURES",
});
