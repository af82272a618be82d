import { MongoClient } from "mongodb";
import { MongoEventIdStore } from "./mongo_event_id_store.ts";
import { runEventIdStoreContract } from "../testing/event_id_store_contract.ts";
import { mongoAddress, MONGODB_URL, withService } from "../testing/services.ts";

// A database of its own: on FerretDB every owner read scans the collection, so
// claims left by earlier runs would slow each run down.
const DB = `streamboard_test_ids_${crypto.randomUUID().slice(0, 8)}`;

await withService(
  { name: "MongoDB", address: mongoAddress(MONGODB_URL) },
  () => {
    runEventIdStoreContract(
      "mongo event id store",
      () => MongoEventIdStore.connect(MONGODB_URL, DB),
    );

    Deno.test("mongo event id store: the tests' database is dropped after them", async () => {
      const client = new MongoClient(MONGODB_URL);
      try {
        await client.db(DB).dropDatabase();
      } finally {
        await client.close();
      }
    });
  },
);
