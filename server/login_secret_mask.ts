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

/** A JSON string's text between its quotes (written unrolled: one way to match, and fast). */
const STRING = String.raw`[^"\\]*(?:\\.[^"\\]*)*`;
/** A member's value that can be masked: a string or a number. */
const VALUE = String.raw`("${STRING}"|-?[0-9][0-9.eE+-]*)`;
/** A member named like a secret, its key written plainly: the common case, found fast. */
const PLAIN_MEMBER = new RegExp(String.raw`"(${LOGIN_SECRETS.join("|")})"\s*:\s*${VALUE}`, "g");
/** Any member whose key has an escape, which may spell a secret's name (`pass\u0077ord`). */
const ESCAPED_MEMBER = new RegExp(String.raw`"([^"\\]*\\.${STRING})"\s*:\s*${VALUE}`, "g");

const SECRETS: ReadonlySet<string> = new Set(LOGIN_SECRETS);

/**
 * `bytes` with the value of every member named like a login secret
 * (`password`, `salt`, `md5`, `sha1`, `sha256`, however its key is escaped)
 * overwritten with `*`, wherever it stands and whether or not the record is
 * valid JSON or UTF-8; `bytes` itself when there is none.
 */
export function maskLoginSecrets(bytes: Uint8Array): Uint8Array {
  const text = binaryText(bytes);
  let masked: Uint8Array | undefined;
  const members = [...text.matchAll(PLAIN_MEMBER)];
  if (text.includes("\\")) members.push(...text.matchAll(ESCAPED_MEMBER));
  for (const match of members) {
    if (!SECRETS.has(keyOf(match[1]))) continue;
    const quoted = match[2].startsWith('"') ? 1 : 0;
    const end = match.index + match[0].length - quoted;
    const start = end - match[2].length + 2 * quoted;
    masked ??= bytes.slice();
    masked.fill(MASK, start, end);
  }
  return masked ?? bytes;
}

/**
 * A single-byte decoder: each byte is one character, so positions in the
 * text are positions in the bytes, and ASCII reads as itself.
 */
const singleByte = new TextDecoder("windows-1252");

/** Each byte as one character. */
function binaryText(bytes: Uint8Array): string {
  return singleByte.decode(bytes);
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
