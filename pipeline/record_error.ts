/**
 * Errors that mean "this record is bad", classified where they start. The
 * processor dead-letters a `RecordError` with its code as the reason; any
 * other error thrown while processing a record is a bug in our code and is
 * dead-lettered apart as `processing-error`, with its stack, and logged loudly.
 */

import { StreamBoardError } from "./errors.ts";

/** Why a record was refused: the reason stored with its dead letter. */
export type RecordErrorCode = "invalid" | "too-large" | "future" | "duplicate";

/** A record that cannot be processed as it is; retrying it never helps. */
export class RecordError extends StreamBoardError {
  /** Reason code of the dead letter. */
  declare readonly code: RecordErrorCode;
  /** Dotted path of the offending field, when one field is to blame. */
  readonly field: string | undefined;

  /** Never retriable: the same bytes fail the same way. */
  constructor(code: RecordErrorCode, message: string, field?: string) {
    super(code, message, { retriable: false });
    this.name = "RecordError";
    this.field = field;
  }
}

/** True for an error that says the record itself is bad (never for a bug or an outage). */
export function isRecordError(error: unknown): error is RecordError {
  return error instanceof RecordError;
}
