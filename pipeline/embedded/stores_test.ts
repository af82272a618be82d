import { SqliteRawStore } from "./raw_store.ts";
import { SqliteAggregateStore } from "./aggregate_store.ts";
import { runAggregateStoreContract, runRawStoreContract } from "../testing/store_contracts.ts";

const dir = Deno.makeTempDirSync({ prefix: "streamboard-stores-" });

runRawStoreContract(
  "sqlite raw store",
  () => Promise.resolve(new SqliteRawStore(`${dir}/store.db`)),
);
runAggregateStoreContract(
  "sqlite aggregate store",
  () => Promise.resolve(new SqliteAggregateStore(`${dir}/store.db`)),
);
