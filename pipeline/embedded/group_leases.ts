/**
 * Consumer groups of the embedded log: which processes are members, and which
 * member holds which partition. Several members of a group (processor
 * workers or processes on one data directory) share its partitions, as
 * Kafka's consumer groups do: each takes its share, dealt round-robin, and a
 * member that leaves or stops renewing its lease leaves its share to the others.
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { transaction } from "./sqlite.ts";

/** One partition of a topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * The partitions `member` holds when `members` share `partitions`: dealt
 * round-robin, in the order given, to the members in id order. Every member
 * works the same shares out from the same list, with no leader. Returns
 * elements of `partitions` itself.
 */
export function shareOf(
  partitions: readonly TopicPartition[],
  members: readonly string[],
  member: string,
): TopicPartition[] {
  const index = [...members].sort().indexOf(member);
  if (index < 0) return [];
  return partitions.filter((_, i) => i % members.length === index);
}

/** Lease length and clock of a group's members. */
export interface GroupLeaseOptions {
  /** How long a member's lease, and its partitions', last without renewal, ms. */
  leaseMs: number;
  /** Clock, ms since the epoch. */
  now: () => number;
}

/** The members and partition leases of every group, in tables of the log's database. */
export class GroupLeases {
  readonly #db: DatabaseSync;
  readonly #options: GroupLeaseOptions;
  readonly #statements: Record<
    | "join"
    | "expire"
    | "members"
    | "release"
    | "take"
    | "holder"
    | "renewMember"
    | "renewPartitions"
    | "leaveMember"
    | "leavePartitions"
    | "live"
    | "held",
    StatementSync
  >;

  constructor(db: DatabaseSync, options: GroupLeaseOptions) {
    this.#db = db;
    this.#options = options;
    db.exec(`
      CREATE TABLE IF NOT EXISTS group_members (
        group_id TEXT NOT NULL,
        member TEXT NOT NULL,
        expires INTEGER NOT NULL,
        PRIMARY KEY (group_id, member)
      );
      CREATE TABLE IF NOT EXISTS partition_leases (
        group_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        member TEXT NOT NULL,
        expires INTEGER NOT NULL,
        PRIMARY KEY (group_id, topic, partition)
      );
      -- One lease per group, from when one member held a whole group.
      DROP TABLE IF EXISTS group_leases;
    `);
    this.#statements = {
      join: db.prepare(
        `INSERT INTO group_members (group_id, member, expires) VALUES (?, ?, ?)
         ON CONFLICT (group_id, member) DO UPDATE SET expires = excluded.expires`,
      ),
      expire: db.prepare("DELETE FROM group_members WHERE group_id = ? AND expires <= ?"),
      members: db.prepare("SELECT member FROM group_members WHERE group_id = ?"),
      release: db.prepare(
        `DELETE FROM partition_leases
         WHERE group_id = ? AND topic = ? AND partition = ? AND member = ?`,
      ),
      take: db.prepare(
        `INSERT INTO partition_leases (group_id, topic, partition, member, expires)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (group_id, topic, partition) DO UPDATE
         SET member = excluded.member, expires = excluded.expires
         WHERE partition_leases.member = excluded.member OR partition_leases.expires <= ?`,
      ),
      holder: db.prepare(
        `SELECT member FROM partition_leases
         WHERE group_id = ? AND topic = ? AND partition = ?`,
      ),
      renewMember: db.prepare(
        "UPDATE group_members SET expires = ? WHERE group_id = ? AND member = ?",
      ),
      renewPartitions: db.prepare(
        "UPDATE partition_leases SET expires = ? WHERE group_id = ? AND member = ?",
      ),
      leaveMember: db.prepare("DELETE FROM group_members WHERE group_id = ? AND member = ?"),
      leavePartitions: db.prepare(
        "DELETE FROM partition_leases WHERE group_id = ? AND member = ?",
      ),
      live: db.prepare(
        "SELECT group_id, member FROM group_members WHERE expires > ? ORDER BY group_id, member",
      ),
      held: db.prepare(
        "SELECT group_id, member, topic, partition FROM partition_leases ORDER BY topic, partition",
      ),
    };
  }

  /**
   * Renews `member`'s membership of `groupId` and settles which of
   * `partitions` it holds: it lets go of those now in another member's share
   * and takes those of its own share that are free, or whose holder's lease
   * ran out. Returns the partitions it holds, in the order given.
   */
  settle(groupId: string, member: string, partitions: readonly TopicPartition[]): TopicPartition[] {
    const now = this.#options.now();
    const expires = now + this.#options.leaseMs;
    const s = this.#statements;
    return transaction(this.#db, () => {
      s.join.run(groupId, member, expires);
      s.expire.run(groupId, now);
      const members = (s.members.all(groupId) as Array<{ member: string }>).map((m) => m.member);
      const share = new Set(shareOf(partitions, members, member));
      const held: TopicPartition[] = [];
      for (const tp of partitions) {
        if (!share.has(tp)) {
          s.release.run(groupId, tp.topic, tp.partition, member);
          continue;
        }
        if (s.take.run(groupId, tp.topic, tp.partition, member, expires, now).changes === 1) {
          held.push(tp);
        }
      }
      return held;
    });
  }

  /** Extends `member`'s lease and those of the partitions it holds (a long batch keeps them). */
  renew(groupId: string, member: string): void {
    const expires = this.#options.now() + this.#options.leaseMs;
    transaction(this.#db, () => {
      this.#statements.renewMember.run(expires, groupId, member);
      this.#statements.renewPartitions.run(expires, groupId, member);
    });
  }

  /**
   * Whether `member` still holds `tp` for `groupId` (call inside the
   * commit's transaction): a lease that ran out is still held until another
   * member takes it.
   */
  holds(groupId: string, member: string, tp: TopicPartition): boolean {
    const row = this.#statements.holder.get(groupId, tp.topic, tp.partition) as
      | { member: string }
      | undefined;
    return row?.member === member;
  }

  /** `member` leaves `groupId`: its partitions are free for the others at once. */
  leave(groupId: string, member: string): void {
    transaction(this.#db, () => {
      this.#statements.leaveMember.run(groupId, member);
      this.#statements.leavePartitions.run(groupId, member);
    });
  }

  /** The live members of every group, by group and member, each with the partitions it holds. */
  members(): Array<{ group: string; member: string; partitions: TopicPartition[] }> {
    const held = new Map<string, TopicPartition[]>();
    for (
      const row of this.#statements.held.all() as Array<
        { group_id: string; member: string; topic: string; partition: number }
      >
    ) {
      const key = JSON.stringify([row.group_id, row.member]);
      held.set(key, [...held.get(key) ?? [], { topic: row.topic, partition: row.partition }]);
    }
    return (this.#statements.live.all(this.#options.now()) as Array<
      { group_id: string; member: string }
    >).map((row) => ({
      group: row.group_id,
      member: row.member,
      partitions: held.get(JSON.stringify([row.group_id, row.member])) ?? [],
    }));
  }
}
