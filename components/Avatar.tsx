/**
 * A user's picture for the islands of the users page: the photo when the
 * record has one (real RandomUser data), else the avatar the app draws
 * (`client/avatar.ts`), which also replaces a photo that does not load.
 * The fallback is an `error` listener, attached by hydration: the CSP forbids
 * inline handlers.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { avatarUrl } from "../client/avatar.ts";

/** Props: the user's id, name and photo URL (empty when there is none); the size in px. */
export interface AvatarProps {
  id: string;
  name: string;
  picture: string;
  size: number;
}

/** The photo, or the drawn avatar when there is none or it fails. */
export function Avatar({ id, name, picture, size }: AvatarProps) {
  const [failed, setFailed] = useState<string | null>(null);
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    // The photo may have failed before hydration, when no error listener was there.
    const shown = img.current;
    if (picture && shown?.complete && shown.naturalWidth === 0) setFailed(picture);
  }, [picture]);
  const own = !picture || picture === failed;
  return (
    <img
      ref={img}
      class="avatar"
      src={own ? avatarUrl(id, name) : picture}
      alt=""
      width={size}
      height={size}
      data-avatar={own ? "drawn" : "photo"}
      referrerpolicy="no-referrer"
      onError={() => setFailed(picture)}
    />
  );
}
