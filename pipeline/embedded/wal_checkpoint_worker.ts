/**
 * The checkpointer's thread (see `wal_checkpoints.ts`): a connection per
 * file and a `PASSIVE` checkpoint of each at the pace `nextWait` sets.
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import {
  type CheckpointPace,
  type FromCheckpointer,
  grownPages,
  nextWait,
  type ToCheckpointer,
} from "./wal_checkpoints.ts";

interface File {
  db: DatabaseSync;
  checkpoint: StatementSync;
  /** Pages in its log at the last copy. */
  pages: number;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ToCheckpointer>) => void) | null;
  postMessage(message: FromCheckpointer): void;
};

let files: File[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

function open(path: string): File {
  const db = new DatabaseSync(path);
  // Syncs as the writers do. A passive checkpoint never waits for a lock.
  db.exec("PRAGMA synchronous = NORMAL;");
  return { db, checkpoint: db.prepare("PRAGMA wal_checkpoint(PASSIVE)"), pages: 0 };
}

/** Copies every file's log; returns the most pages any grew by since the last copy. */
function copy(): number {
  let grown = 0;
  for (const file of files) {
    const { log } = file.checkpoint.get() as { log: number };
    grown = Math.max(grown, grownPages(file.pages, log));
    file.pages = log;
  }
  return grown;
}

function stop() {
  clearTimeout(timer);
  for (const file of files) file.db.close();
  files = [];
}

function fail(error: unknown) {
  stop();
  scope.postMessage({ type: "failed", message: String((error as Error).message ?? error) });
}

function schedule(waitMs: number, pace: CheckpointPace) {
  timer = setTimeout(() => {
    try {
      schedule(nextWait(waitMs, copy(), pace), pace);
    } catch (error) {
      fail(error);
    }
  }, waitMs);
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
  schedule(message.pace.minMs, message.pace);
  scope.postMessage({ type: "started" });
};
