/** How StreamBoard writes CSV: RFC 4180, through `csv-stringify`. */

/**
 * Options RFC 4180 needs beyond csv-stringify's defaults: CRLF between
 * records, and quotes around any cell holding a line break (csv-stringify
 * quotes a cell for the record delimiter only, so a lone `\n` would otherwise
 * go out bare and split the record for every reader).
 */
export const RFC_4180 = { record_delimiter: "windows", quoted_match: /[\r\n]/ } as const;
