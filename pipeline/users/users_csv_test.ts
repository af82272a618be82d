import assert from "node:assert/strict";
import { CSV_COLUMNS, userCsvRow } from "./users_csv.ts";
import { userDocument } from "./users_stream.ts";
import { validateUser } from "./validate.ts";
import type { StoredDocument } from "../ports.ts";
import { JENNIE } from "../testing/randomuser_example.ts";

const RECEIVED = Date.UTC(2024, 5, 1, 12, 0, 0);

/** The document the processor stores for `record`, received at `ts`. */
function stored(record: unknown, ts = RECEIVED): StoredDocument {
  const user = validateUser(record, ts);
  return { id: user.uuid, ts, doc: userDocument(user, ts) };
}

/** A row as `{column: cell}`. */
function byColumn(row: string[]): Record<string, string> {
  return Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, row[i]]));
}

Deno.test("a row has one cell per CSV column", () => {
  assert.equal(userCsvRow(stored(JENNIE)).length, CSV_COLUMNS.length);
});

Deno.test("a stored user's row puts each value in its column", () => {
  assert.deepEqual(byColumn(userCsvRow(stored(JENNIE))), {
    uuid: "7a0eed16-9430-4d68-901f-c0d4c1c3bf00",
    full_name: "Jennie Nichols",
    title: "Miss",
    first_name: "Jennie",
    last_name: "Nichols",
    gender: "female",
    age: "32",
    date_of_birth: "1992-03-08T15:13:16.688Z",
    email: "jennie.nichols@example.com",
    phone: "(272) 790-0888",
    cell: "(489) 330-2385",
    street: "8929 Valwood Pkwy",
    city: "Billings",
    state: "Michigan",
    country: "United States",
    postcode: "63104",
    latitude: "-69.8246",
    longitude: "134.8719",
    nationality: "US",
    registered: "2007-07-09T05:51:59.390Z",
    picture: "https://randomuser.me/api/portraits/men/75.jpg",
    received_at: "2024-06-01T12:00:00.000Z",
  });
});

Deno.test("a numeric postcode and a missing id value export cleanly", () => {
  const record = structuredClone(JENNIE) as {
    location: Record<string, unknown>;
    id: Record<string, unknown>;
  };
  record.location.postcode = 63104;
  record.id.value = null;
  const row = byColumn(userCsvRow(stored(record)));
  assert.equal(row.postcode, "63104");
  assert.ok(!Object.values(row).includes("null"), "no cell says null");
  assert.ok(
    !Object.values(row).includes("undefined"),
    "no cell says undefined",
  );
});

Deno.test("formula text inside a user record is neutralised in the export", () => {
  const record = structuredClone(JENNIE);
  record.location.city = "=cmd|' /C calc'!A0";
  record.phone = "+44 20 7946 0958";
  record.name.first = "@SUM(A1)";
  const row = byColumn(userCsvRow(stored(record)));
  assert.equal(row.city, "'=cmd|' /C calc'!A0");
  assert.equal(row.phone, "'+44 20 7946 0958");
  assert.equal(row.first_name, "'@SUM(A1)");
  assert.equal(row.full_name, "'@SUM(A1) Nichols");
  assert.equal(row.latitude, "-69.8246", "coordinates stay numbers");
});
