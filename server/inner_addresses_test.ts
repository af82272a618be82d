import assert from "node:assert/strict";
import { InnerAddresses } from "./inner_addresses.ts";

Deno.test("a connection that ends after its local port was given to another leaves the other matched", () => {
  const addresses = new InnerAddresses<string>();
  addresses.set("127.0.0.1:40000", "viewer");
  // The viewer's stream went direct and its internal connection closed; the port is reused.
  addresses.set("127.0.0.1:40000", "next client");
  addresses.release("127.0.0.1:40000", "viewer");
  assert.equal(addresses.get("127.0.0.1:40000"), "next client");
  addresses.release("127.0.0.1:40000", "next client");
  assert.equal(addresses.get("127.0.0.1:40000"), undefined);
});
