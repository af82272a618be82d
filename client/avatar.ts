/**
 * The avatar the app draws for a user without a photo (every generated user)
 * or whose photo does not load: the initials of the name on a colour chosen
 * from the user's id. The page shows them as text on a coloured circle, not
 * as an image: it needs no request, so a page of generated users works
 * offline, and costs the browser no image to decode for each new user.
 */

/** Background lightness and saturation: white initials stay readable on every hue. */
const SATURATION = 55;
const LIGHTNESS = 42;

/** Up to two initials of `name`: the first letter of its first and last words, upper-cased. */
export function initialsOf(name: string): string {
  const words = name.split(/\s+/).filter((word) => /\p{L}|\p{N}/u.test(word));
  if (words.length === 0) return "?";
  const first = (word: string) => firstLetter(word).toLocaleUpperCase();
  return words.length === 1 ? first(words[0]) : first(words[0]) + first(words.at(-1)!);
}

/** The first letter or digit of `word` with its combining marks (one grapheme). */
function firstLetter(word: string): string {
  const segments = new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(word);
  for (const { segment } of segments) {
    if (/\p{L}|\p{N}/u.test(segment)) return segment;
  }
  return "?";
}

/** A hue from 0 to 359 that depends on `id` only (FNV-1a), so a user keeps their colour. */
export function hueOf(id: string): number {
  let hash = 0x811c9dc5;
  for (const unit of new TextEncoder().encode(id)) {
    hash = Math.imul(hash ^ unit, 0x01000193) >>> 0;
  }
  return hash % 360;
}

/** The background colour of the avatar of user `id`, as CSS. */
export function avatarColor(id: string): string {
  return `hsl(${hueOf(id)} ${SATURATION}% ${LIGHTNESS}%)`;
}
