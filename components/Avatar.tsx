/**
 * A user's picture for the islands of the users page: the photo when the
 * record has one (real RandomUser data), else the avatar the app draws
 * (`client/avatar.ts`), which also replaces a photo that does not load.
 * The fallback is an `error` listener, attached by hydration: the CSP forbids
 * inline handlers.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { avatarColor, initialsOf } from "../client/avatar.ts";

/** Props: the user's id, name and photo URL (empty when there is none); the size in px. */
export interface AvatarProps {
  id: string;
  name: string;
  picture: string;
  size: number;
}

/**
 * The photo, or the drawn avatar when there is none or it fails. The drawn
 * initials are CSS content (`data-initials`), not text: the name beside the
 * avatar reads and selects as itself.
 */
export function Avatar({ id, name, picture, size }: AvatarProps) {
  const [failed, setFailed] = useState<string | null>(null);
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    // The photo may have failed before hydration, when no error listener was there.
    const shown = img.current;
    if (picture && shown?.complete && shown.naturalWidth === 0) setFailed(picture);
  }, [picture]);
  if (!picture || picture === failed) {
    return (
      <span
        class="avatar avatar-drawn"
        data-avatar="drawn"
        aria-hidden="true"
        data-initials={initialsOf(name)}
        style={{ backgroundColor: avatarColor(id), fontSize: `${Math.round(size * 0.4)}px` }}
      />
    );
  }
  return (
    <img
      ref={img}
      class="avatar"
      src={picture}
      alt=""
      width={size}
      height={size}
      data-avatar="photo"
      referrerpolicy="no-referrer"
      onError={() => setFailed(picture)}
    />
  );
}
