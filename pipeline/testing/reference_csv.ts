/**
 * The header the products VAT job's files must have, as the issue and the
 * reference Flink job give it: written out here, apart from the code that
 * writes the files, so the tests check the code against the specification.
 */
export const REFERENCE_PRODUCT_CSV_HEADER = [
  "id",
  "product",
  "description",
  "price",
  "kdv",
  "total",
  "window_end",
];
