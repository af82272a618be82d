import { SqliteRawStore } from "./raw_store.ts";
import { SqliteAggregateStore } from "./aggregate_store.ts";
import { SqliteEventIdStore } from "./event_id_store.ts";
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
