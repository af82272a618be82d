import assert from "node:assert/strict";
import { SqliteRawStore } from "./raw_store.ts";
import { SqliteAggregateStore } from "./aggregate_store.ts";
import { SqliteEventIdStore } from "./event_id_store.ts";
import { StoreFile } from "./store_file.ts";
import { runAggregateStoreContract, runRawStoreContract } from "../testing/store_contracts.ts";
import { runEventIdStoreContract } from "../testing/event_id_store_contract.ts";

const dir = Deno.makeTempDirSync({ prefix: "streamboard-stores-" });

runRawStoreContract(
  "sqlite raw store",
  () => Promise.resolve(new SqliteRawStore(`${dir}/store.db`)),
);
runAggregateStoreContract(
  "sqlite aggregate store",
  () => Promise.resolve(new SqliteAggregateStore(`${dir}/store.db`)),
);
runEventIdStoreContract(
  "sqlite event id store",
  () => Promise.resolve(new SqliteEventIdStore(`${dir}/store.db`)),
);

// The stores of a process share one connection (see `wiring.ts`); held open across the suites.
const shared = new StoreFile(`${dir}/shared.db`);
shared.hold();
runRawStoreContract(
  "sqlite raw store on a shared file",
  () => Promise.resolve(new SqliteRawStore(shared)),
);
runAggregateStoreContract(
  "sqlite aggregate store on a shared file",
  () => Promise.resolve(new SqliteAggregateStore(shared)),
);
runEventIdStoreContract(
  "sqlite event id store on a shared file",
  () => Promise.resolve(new SqliteEventIdStore(shared)),
);

Deno.test("stores on one store file share its connection, which stays open until the last of them closes", async () => {
  const file = new StoreFile(`${dir}/closing.db`);
  const raw = new SqliteRawStore(file);
  const aggregates = new SqliteAggregateStore(file);
  const eventIds = new SqliteEventIdStore(file);
  await raw.upsert("users", [{ id: "a", ts: 1, doc: { n: 1 } }]);
  await raw.close();
  await aggregates.close();
  const owners = await eventIds.claim("users", [{ id: "a", partition: 0, offset: 7, at: 1 }]);
  assert.deepEqual(owners.get("a"), { partition: 0, offset: 7 });
  await eventIds.close();
  const reopened = new SqliteRawStore(`${dir}/closing.db`);
  try {
    assert.deepEqual((await reopened.get("users", "a"))?.doc, { n: 1 });
  } finally {
    await reopened.close();
  }
  assert.throws(() => file.hold().prepare("SELECT 1"), /not open/);
});
