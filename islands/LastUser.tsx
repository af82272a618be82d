/** The newest user's card: photo, name, country, updated live. */

import { useEffect, useRef, useState } from "preact/hooks";
import { useDashboard } from "../client/dashboard_store.ts";
import type { UserSummary } from "../pipeline/users/randomuser.ts";

/** Props: the newest user as rendered on the server, if any. */
export interface LastUserProps {
  initial: UserSummary | null;
}

/** The "last user" card. */
export default function LastUser({ initial }: LastUserProps) {
  // A photo that cannot load (offline: RandomUser's photos live on randomuser.me) shows the
  // plain avatar instead of a broken image.
  const [unreachable, setUnreachable] = useState<string | null>(null);
  const photo = useRef<HTMLImageElement>(null);
  useEffect(() => {
    // It may have failed before the island hydrated, when no error handler was listening.
    const img = photo.current;
    if (img?.complete && img.naturalWidth === 0) setUnreachable(img.getAttribute("src"));
  }, []);
  const user = useDashboard("users", initial, (snapshot) => snapshot.users[0] ?? null);
  if (!user) {
    return (
      <article class="card last-user" data-testid="last-user">
        <h2>Last user</h2>
        <p class="muted">No users yet. Start a producer: deno task produce</p>
      </article>
    );
  }
  return (
    <article class="card last-user" data-testid="last-user">
      <h2>Last user</h2>
      <div class="last-user-body">
        {user.picture && user.picture !== unreachable
          ? (
            <img
              ref={photo}
              class="avatar"
              src={user.picture}
              alt=""
              width={96}
              height={96}
              loading="lazy"
              referrerpolicy="no-referrer"
              onError={() => setUnreachable(user.picture)}
            />
          )
          : <div class="avatar avatar-empty" aria-hidden="true" />}
        <div>
          <div class="last-user-name" data-testid="last-user-name">{user.fullName}</div>
          <div class="muted">
            {user.city ? `${user.city}, ` : ""}
            <span data-testid="last-user-country">{user.country}</span>
          </div>
          <div class="muted">{user.age} years · {user.gender}</div>
          <div class="muted small">{user.email}</div>
        </div>
      </div>
    </article>
  );
}
