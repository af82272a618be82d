/** The newest user's card: photo, name, country, updated live. */

import { useEffect } from "preact/hooks";
import { connectLive, users } from "../client/live_store.ts";
import type { UserSummary } from "../pipeline/users/randomuser.ts";

/** Props: the newest user as rendered on the server, if any. */
export interface LastUserProps {
  initial: UserSummary | null;
}

/** The "last user" card. */
export default function LastUser({ initial }: LastUserProps) {
  useEffect(() => connectLive({}), []);
  const user = users.value[0] ?? initial;
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
        {user.picture
          ? <img class="avatar" src={user.picture} alt="" width={96} height={96} loading="lazy" />
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
