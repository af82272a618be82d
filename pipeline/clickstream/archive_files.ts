/**
 * The file operations a Parquet archive's flush makes durable, behind a small
 * port: the archive's crash safety is argued step by step over these calls,
 * so a test can make any one of them fail (or kill the process) and check
 * that a restart neither skips nor repeats a record.
 */

/** What a flush does to files; every call is synchronous, like the archive. */
export interface ArchiveFiles {
  /** Writes `data` to `path`, replacing any file there, and syncs it to disk. */
  writeSynced(path: string, data: Uint8Array): void;
  /** Makes renames and new entries in `dir` survive power loss. */
  syncDirectory(dir: string): void;
  /** Renames `from` to `to`; `false` when `from` does not exist (nothing renamed). */
  rename(from: string, to: string): boolean;
  /** Removes `path`; nothing happens when it does not exist. */
  remove(path: string): void;
}

/** The real file system. */
export const DENO_ARCHIVE_FILES: ArchiveFiles = {
  writeSynced(path, data) {
    const file = Deno.openSync(path, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < data.length) written += file.writeSync(data.subarray(written));
      file.syncSync();
    } finally {
      file.close();
    }
  },
  syncDirectory(dir) {
    const handle = Deno.openSync(dir, { read: true });
    try {
      handle.syncSync();
    } finally {
      handle.close();
    }
  },
  rename(from, to) {
    try {
      Deno.renameSync(from, to);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  },
  remove(path) {
    try {
      Deno.removeSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  },
};
