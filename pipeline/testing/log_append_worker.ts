/** A worker that appends one record to a topic of an embedded log file, for `log_broker_test.ts`. */

import { serveWorker } from "../workers/protocol.ts";
import { EmbeddedLog } from "../embedded/log_broker.ts";

serveWorker<{ path: string; topic: string }>(async ({ path, topic }) => {
  const log = new EmbeddedLog({ path, pollMs: 60_000 });
  await log.produce(topic, [{ key: "k", value: new Uint8Array([7]) }]);
  await log.close();
  return 1;
});
