/** Reading the errors of an unordered MongoDB insert. */

/**
 * The indexes of documents an unordered insert refused only because their id
 * exists already, or `undefined` when it failed for any other reason.
 */
export function duplicateKeyIndexes(error: unknown): number[] | undefined {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length === 0) return undefined;
  const indexes: number[] = [];
  for (
    const e of list as Array<
      { code?: number; index?: number; err?: { code?: number; index?: number } }
    >
  ) {
    const code = e.code ?? e.err?.code;
    const index = e.index ?? e.err?.index;
    if (code !== 11000 || index === undefined) return undefined;
    indexes.push(index);
  }
  return indexes;
}
