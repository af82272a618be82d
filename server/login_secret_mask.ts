/**
 * Masks RandomUser `login` secrets in the bytes of a record before the
 * console shows it. The topics keep records as they arrived (a dead letter is
 * the input, byte for byte), so a user's password, salt and hashes are in
 * `users` and `users.dlq`; the console reads those topics, and no page, API,
 * SSE event or download may serve a secret.
 */

import { LOGIN_SECRETS } from "../pipeline/users/login_secrets.ts";

/** What a masked value is overwritten with, byte for byte (the size stays as it was). */
const MASK = 0x2a; // "*"

/**
 * A JSON member whose value is a string or a number: the key (escapes and
 * all) and the value. Each part has one way to match, so a scan is linear.
 */
const MEMBER = /"((?:[^"\\]|\\.)*)"\s*:\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)/g;

/** Text a record must hold for a secret to be in it (a key may be written with `\u` escapes). */
const HINTS = [...LOGIN_SECRETS, "\\u"];

const SECRETS: ReadonlySet<string> = new Set(LOGIN_SECRETS);

/**
 * `bytes` with the value of every member named like a login secret
 * (`password`, `salt`, `md5`, `sha1`, `sha256`, however its key is escaped)
 * overwritten with `*`, wherever it stands and whether or not the record is
 * valid JSON or UTF-8; `bytes` itself when there is none.
 */
export function maskLoginSecrets(bytes: Uint8Array): Uint8Array {
  const text = binaryText(bytes);
  if (!HINTS.some((hint) => text.includes(hint))) return bytes;
  let masked: Uint8Array | undefined;
  for (const match of text.matchAll(MEMBER)) {
    if (!SECRETS.has(keyOf(match[1]))) continue;
    const quoted = match[2].startsWith('"') ? 1 : 0;
    const end = match.index + match[0].length - quoted;
    const start = end - match[2].length + 2 * quoted;
    masked ??= bytes.slice();
    masked.fill(MASK, start, end);
  }
  return masked ?? bytes;
}

/** Each byte as one character, so positions in the text are positions in the bytes. */
function binaryText(bytes: Uint8Array): string {
  let text = "";
  // In slices: one spread of a large value would overflow the call stack.
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/** The key a JSON member names, its escapes read; "" when it is not a valid JSON string. */
function keyOf(escaped: string): string {
  if (!escaped.includes("\\")) return escaped;
  try {
    return JSON.parse(`"${escaped}"`) as string;
  } catch {
    return "";
  }
}
