/**
 * A Parquet archive's file system that fails where a crash test says: it
 * wraps the real one and, at each point a flush can die, asks the test
 * whether to fail there (throw, or end the process as a crash would).
 */

import { type ArchiveFiles, DENO_ARCHIVE_FILES } from "../clickstream/archive_files.ts";

/**
 * Points at which a flush can die: `after-write` once a temp file is written
 * and synced, before the spool commits it; `before-rename` after the commit,
 * before the file is renamed into place; `after-rename` after the rename,
 * before its pending mark is cleared.
 */
export type ArchiveFault = "after-write" | "before-rename" | "after-rename";

/**
 * Called at every fault point with how many writes (for `after-write`) or
 * renames (otherwise) the file system has seen, this one included; it fails
 * the flush by throwing or exiting, or returns to let it go on.
 */
export type FaultDecision = (fault: ArchiveFault, count: number) => void;

/** `inner` (the real file system by default) failing where `decide` says. */
export function failingArchiveFiles(
  decide: FaultDecision,
  inner: ArchiveFiles = DENO_ARCHIVE_FILES,
): ArchiveFiles {
  let writes = 0;
  let renames = 0;
  return {
    writeSynced(path, data) {
      inner.writeSynced(path, data);
      decide("after-write", ++writes);
    },
    syncDirectory: (dir) => inner.syncDirectory(dir),
    rename(from, to) {
      const count = ++renames;
      decide("before-rename", count);
      const renamed = inner.rename(from, to);
      decide("after-rename", count);
      return renamed;
    },
    remove: (path) => inner.remove(path),
  };
}
