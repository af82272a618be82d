/** The page header: product name, navigation and the live status badge. */

import LiveStatus from "../islands/LiveStatus.tsx";
import type { Dashboard } from "../server/dashboards.ts";

/** The pages in the navigation, with the live stream each follows. */
export const NAV: ReadonlyArray<{ href: string; label: string; stream: Dashboard }> = [
  { href: "/", label: "Users", stream: "users" },
  { href: "/sales", label: "Sales", stream: "sales" },
  { href: "/clicks", label: "Clickstream", stream: "clicks" },
  { href: "/products", label: "Products", stream: "products" },
];

/** The console's pages in the navigation. */
export const CONSOLE_NAV: ReadonlyArray<{ href: string; label: string }> = [
  { href: "/console/dead-letters", label: "Dead letters" },
];

/** Header of every dashboard page; `current` is the active path, whose stream the badge shows. */
export function Header({ current }: { current: string }) {
  const stream = NAV.find((link) => link.href === current)?.stream ?? "users";
  return (
    <header class="top">
      <div class="brand">StreamBoard</div>
      <nav>
        {[...NAV, ...CONSOLE_NAV].map(({ href, label }) => (
          <a key={href} href={href} aria-current={href === current ? "page" : undefined}>{label}</a>
        ))}
      </nav>
      <LiveStatus stream={stream} />
    </header>
  );
}
