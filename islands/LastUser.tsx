/** The newest user's card: photo (or drawn avatar), name, country, updated live. */

import { useDashboard } from "../client/dashboard_store.ts";
import { Avatar } from "../components/Avatar.tsx";
import type { UserSummary } from "../pipeline/users/randomuser.ts";

/** Props: the newest user as rendered on the server, if any. */
export interface LastUserProps {
  initial: UserSummary | null;
}

/** The "last user" card. */
export default function LastUser({ initial }: LastUserProps) {
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
        <Avatar id={user.uuid} name={user.fullName} picture={user.picture} size={96} />
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
