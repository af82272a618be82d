/**
 * How StreamBoard writes CSV: RFC 4180, through `csv-stringify`, every cell
 * neutralised for spreadsheets. Every CSV the project writes goes through here.
 */

/**
 * Options RFC 4180 needs beyond csv-stringify's defaults: CRLF between
 * records, and quotes around any cell holding a line break (csv-stringify
 * quotes a cell for the record delimiter only, so a lone `\n` would otherwise
 * go out bare and split the record for every reader).
 */
export const RFC_4180 = { record_delimiter: "windows", quoted_match: /[\r\n]/ } as const;

/**
 * Makes a cell safe to open in a spreadsheet: text starting with `=`, `+`,
 * `-`, `@`, tab or carriage return would run as a formula (CSV injection), so
 * it gets a leading apostrophe, which spreadsheets show as text. Plain
 * numbers such as `-33.8688` cannot run and are left as they are.
 */
export function neutralizeCell(value: string): string {
  if (/^[+-]?\d+(\.\d+)?$/.test(value)) return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
