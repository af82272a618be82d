/** A worker that finishes at once with its thread's nice value (-1 where it cannot be read), for `thread_priority_test.ts`. */

import { serveWorker } from "../workers/protocol.ts";
import { threadNice } from "../workers/thread_priority.ts";

serveWorker<null>(() => Promise.resolve(threadNice() ?? -1));
