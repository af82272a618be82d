/** Lowering the scheduling priority of one worker thread, not of its process. */

import os from "node:os";

/** Where Linux names the calling thread: `/proc/<pid>/task/<tid>`. */
const THREAD_SELF = "/proc/thread-self";

/**
 * Gives the calling thread the nice value `nice` (Linux), leaving the
 * process's other threads as they are; a thread already nicer (a process
 * started with `nice`) stays so.
 *
 * Linux schedules each thread on its own, and `setpriority` of a thread id
 * sets that thread's nice value. Where `/proc/thread-self` is missing (not
 * Linux) the thread's id is unknown, and the same call with the process id
 * would lower every thread of the process, the web thread with them: nothing
 * is changed there. Raising a nice value needs no privilege.
 *
 * @throws {Error} naming the setting to change when the system refuses the new value
 */
export function setThreadNice(nice: number): void {
  const tid = threadId();
  if (tid === undefined || os.getPriority(tid) >= nice) return;
  try {
    os.setPriority(tid, nice);
  } catch (error) {
    throw new Error(
      `could not give the worker thread nice value ${nice} (${
        (error as Error).message
      }); STREAMBOARD_WORKER_NICE=0 leaves the workers' priority alone`,
      { cause: error },
    );
  }
}

/** The calling thread's nice value, or undefined where it cannot be read (not Linux). */
export function threadNice(): number | undefined {
  const tid = threadId();
  return tid === undefined ? undefined : os.getPriority(tid);
}

/** The calling thread's id, from `/proc/thread-self`; undefined where there is none (not Linux). */
function threadId(): number | undefined {
  let link: string;
  try {
    link = Deno.readLinkSync(THREAD_SELF);
  } catch {
    return undefined;
  }
  const tid = Number(link.slice(link.lastIndexOf("/") + 1));
  return Number.isInteger(tid) && tid > 0 ? tid : undefined;
}
