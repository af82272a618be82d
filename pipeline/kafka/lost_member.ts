/**
 * Removes a group member kafkajs lost with its broker. When Kafka goes away,
 * kafkajs restarts a crashed consumer as a new member and cannot tell the
 * group its old one left; a Kafka that comes back restores the group with the
 * old member, and the rebalance that lets the new one in waits for the old one
 * a whole session timeout (10 s): that held processing up after Kafka returned.
 * Leaving on the old member's behalf ends that wait at once.
 */

import type { CreateCluster } from "./kafka_cluster.ts";
import { delay } from "../async.ts";

/** What `removeLostMember` removes, and how. */
export interface LostMemberOptions {
  /** Makes the cluster object it connects with (a fresh one each attempt). */
  createCluster: CreateCluster;
  groupId: string;
  /** The member id kafkajs had before it restarted the consumer. */
  memberId: string;
  /** Stops trying (the consumer rejoined, stopped, or the broker closes). */
  signal: AbortSignal;
  /** Wait between attempts while Kafka does not answer, ms. */
  everyMs: number;
}

/**
 * Tries until Kafka answers: resolves `true` once the coordinator removed the
 * member, `false` when it no longer knew it (its session had expired) or the
 * signal stopped the attempts.
 */
export async function removeLostMember(options: LostMemberOptions): Promise<boolean> {
  const { createCluster, groupId, memberId, signal, everyMs } = options;
  while (!signal.aborted) {
    const cluster = createCluster();
    try {
      await cluster.connect();
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      await coordinator.leaveGroup({ groupId, memberId });
      return true;
    } catch (error) {
      if ((error as { type?: unknown } | null)?.type === "UNKNOWN_MEMBER_ID") return false;
    } finally {
      await cluster.disconnect().catch(() => {});
    }
    await delay(everyMs, signal);
  }
  return false;
}
