/** Deno worker checkpointing the embedded files' write-ahead logs until stopped (see `wal_checkpoints.ts`). */

import { serveWorker } from "./protocol.ts";
import { type CheckpointJob, runWalCheckpoints } from "../embedded/wal_checkpoints.ts";

serveWorker<CheckpointJob>((job, signal) => runWalCheckpoints(job, signal));
