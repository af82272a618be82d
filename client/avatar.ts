/**
 * The avatar the app draws for a user without a photo (every generated user)
 * or whose photo does not load: the initials of the name on a colour chosen
 * from the user's id, as an SVG in a `data:` URL. It needs no request at all,
 * so a page of generated users works offline; the page's CSP allows `data:`
 * images.
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

/**
 * The avatar of the user `id` named `name`, as SVG text. The initials are
 * letters, digits and combining marks only, so no name can add markup.
 */
export function avatarSvg(id: string, name: string): string {
  const initials = initialsOf(name);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96">` +
    `<rect width="96" height="96" fill="hsl(${hueOf(id)} ${SATURATION}% ${LIGHTNESS}%)"/>` +
    `<text x="48" y="48" dy=".35em" text-anchor="middle" fill="#fff" ` +
    `font-family="system-ui, sans-serif" font-size="38" font-weight="600">${initials}</text>` +
    `</svg>`;
}

/** The avatar of the user `id` named `name`, as a `data:` URL for an `<img src>`. */
export function avatarUrl(id: string, name: string): string {
  return `data:image/svg+xml,${encodeURIComponent(avatarSvg(id, name))}`;
}
