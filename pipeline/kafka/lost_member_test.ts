import assert from "node:assert/strict";
import { removeLostMember } from "./lost_member.ts";
import type { KafkaCluster } from "./kafka_cluster.ts";

/** A cluster whose `connect` runs `connect` and whose coordinator's `leaveGroup` runs `leave`. */
function fakeCluster(
  calls: { connect: () => Promise<void>; leave: (memberId: string) => Promise<unknown> },
  disconnected: { count: number },
): KafkaCluster {
  return {
    connect: calls.connect,
    disconnect: () => (disconnected.count++, Promise.resolve()),
    brokerPool: { refreshMetadata: () => Promise.resolve() },
    findTopicPartitionMetadata: () => [],
    fetchTopicsOffset: () => Promise.resolve([]),
    findGroupCoordinator: () =>
      Promise.resolve({ leaveGroup: ({ memberId }) => calls.leave(memberId) }),
  };
}

const refused = () => Promise.reject(new Error("Connection error: connect ECONNREFUSED"));

Deno.test("lost member: it is removed once Kafka answers, trying again until then", async () => {
  const disconnected = { count: 0 };
  let attempts = 0;
  const left: string[] = [];
  const removed = await removeLostMember({
    createCluster: () =>
      fakeCluster({
        connect: () => ++attempts < 3 ? refused() : Promise.resolve(),
        leave: (memberId) => (left.push(memberId), Promise.resolve()),
      }, disconnected),
    groupId: "streamboard-users",
    memberId: "member-1",
    signal: new AbortController().signal,
    everyMs: 1,
  });
  assert.equal(removed, true);
  assert.equal(attempts, 3);
  assert.deepEqual(left, ["member-1"]);
  assert.equal(disconnected.count, 3, "every cluster it connected is disconnected");
});

Deno.test("lost member: a member the group no longer knows is not removed", async () => {
  const gone = Object.assign(new Error("The coordinator is not aware of this member"), {
    type: "UNKNOWN_MEMBER_ID",
  });
  const removed = await removeLostMember({
    createCluster: () =>
      fakeCluster({ connect: () => Promise.resolve(), leave: () => Promise.reject(gone) }, {
        count: 0,
      }),
    groupId: "g",
    memberId: "m",
    signal: new AbortController().signal,
    everyMs: 1,
  });
  assert.equal(removed, false);
});

Deno.test("lost member: the signal stops the attempts while Kafka does not answer", async () => {
  const stop = new AbortController();
  let attempts = 0;
  const removing = removeLostMember({
    createCluster: () =>
      fakeCluster({
        connect: () => (++attempts === 2 && stop.abort(), refused()),
        leave: () => Promise.resolve(),
      }, { count: 0 }),
    groupId: "g",
    memberId: "m",
    signal: stop.signal,
    everyMs: 1,
  });
  assert.equal(await removing, false);
  assert.equal(attempts, 2);
});
