import { MongoEventIdStore } from "./mongo_event_id_store.ts";
import { runEventIdStoreContract } from "../testing/event_id_store_contract.ts";
import { mongoAddress, MONGODB_URL, withService } from "../testing/services.ts";

const DB = "streamboard_test";

await withService(
  { name: "MongoDB", address: mongoAddress(MONGODB_URL) },
  () => {
    runEventIdStoreContract(
      "mongo event id store",
      () => MongoEventIdStore.connect(MONGODB_URL, DB),
    );
  },
);
