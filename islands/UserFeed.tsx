/** The live list of the newest users. */

import { useDashboard } from "../client/dashboard_store.ts";
import type { UserSummary } from "../pipeline/users/randomuser.ts";
import { Avatar } from "../components/Avatar.tsx";

/** Props: the newest users as rendered on the server. */
export interface UserFeedProps {
  initial: UserSummary[];
}

const time = (ts: number) => new Date(ts).toISOString().slice(11, 19);

/** Newest users first; new arrivals slide in at the top. */
export default function UserFeed({ initial }: UserFeedProps) {
  const list = useDashboard("users", initial, (snapshot) => snapshot.users);
  return (
    <section class="card feed">
      <h2>Newest users</h2>
      {list.length === 0 ? <p class="muted">Waiting for the first user…</p> : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Gender</th>
              <th>Age</th>
              <th>Country</th>
              <th>Received (UTC)</th>
            </tr>
          </thead>
          <tbody data-testid="user-list">
            {list.map((u) => (
              <tr key={u.uuid}>
                <td class="feed-name">
                  <Avatar id={u.uuid} name={u.fullName} picture={u.picture} size={28} />
                  {u.fullName}
                </td>
                <td>{u.gender}</td>
                <td>{u.age}</td>
                <td>{u.country}</td>
                <td>{time(u.ts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
