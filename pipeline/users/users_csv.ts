/** The users CSV export: columns, one row per stored user, spreadsheet-safe cells. */

import type { JsonObject, StoredDocument } from "../ports.ts";
import { at } from "../validation.ts";
import { neutralizeCell } from "../csv_format.ts";
import { storedRecord } from "./users_stream.ts";

/** Column headers of `GET /export/csv`, in order. */
export const CSV_COLUMNS = [
  "uuid",
  "full_name",
  "title",
  "first_name",
  "last_name",
  "gender",
  "age",
  "date_of_birth",
  "email",
  "phone",
  "cell",
  "street",
  "city",
  "state",
  "country",
  "postcode",
  "latitude",
  "longitude",
  "nationality",
  "registered",
  "picture",
  "received_at",
] as const;

function text(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

/** The CSV row of a stored user document, cells neutralised. */
export function userCsvRow(doc: StoredDocument): string[] {
  return userCells(doc).map(neutralizeCell);
}

/** The cells of a stored user document in `CSV_COLUMNS` order, as they are (not neutralised). */
export function userCells(doc: StoredDocument): string[] {
  const d: JsonObject = doc.doc;
  const r = storedRecord(d);
  const street = [text(at(r, "location.street.number")), text(at(r, "location.street.name"))]
    .filter((s) => s !== "").join(" ");
  return [
    doc.id,
    text(d.fullName),
    text(at(r, "name.title")),
    text(at(r, "name.first")),
    text(at(r, "name.last")),
    text(d.gender),
    text(d.age),
    text(at(r, "dob.date")),
    text(d.email),
    text(at(r, "phone")),
    text(at(r, "cell")),
    street,
    text(at(r, "location.city")),
    text(at(r, "location.state")),
    text(d.country),
    text(at(r, "location.postcode")),
    text(at(r, "location.coordinates.latitude")),
    text(at(r, "location.coordinates.longitude")),
    text(d.nat),
    text(at(r, "registered.date")),
    text(d.picture),
    new Date(doc.ts).toISOString(),
  ];
}
