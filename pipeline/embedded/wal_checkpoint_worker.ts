/**
 * The checkpointer's thread (see `wal_checkpoints.ts`): a connection per
 * file and a `PASSIVE` checkpoint of each every `everyMs`.
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { FromCheckpointer, ToCheckpointer } from "./wal_checkpoints.ts";

interface File {
  db: DatabaseSync;
  checkpoint: StatementSync;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ToCheckpointer>) => void) | null;
  postMessage(message: FromCheckpointer): void;
};

let files: File[] = [];
let timer: ReturnType<typeof setInterval> | undefined;

function open(path: string): File {
  const db = new DatabaseSync(path);
  // Syncs as the writers do. A passive checkpoint never waits for a lock.
  db.exec("PRAGMA synchronous = NORMAL;");
  return { db, checkpoint: db.prepare("PRAGMA wal_checkpoint(PASSIVE)") };
}

function stop() {
  clearInterval(timer);
  for (const file of files) file.db.close();
  files = [];
}

function fail(error: unknown) {
  stop();
  scope.postMessage({ type: "failed", message: String((error as Error).message ?? error) });
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "stop") {
    stop();
    scope.postMessage({ type: "stopped" });
    return;
  }
  try {
    files = message.paths.map(open);
  } catch (error) {
    return fail(error);
  }
  timer = setInterval(() => {
    try {
      for (const file of files) file.checkpoint.get();
    } catch (error) {
      fail(error);
    }
  }, message.everyMs);
  scope.postMessage({ type: "started" });
};
