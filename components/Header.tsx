/** The page header: product name, navigation, the live status badge and Pause / Resume. */

import LiveStatus from "../islands/LiveStatus.tsx";
import LiveControls from "../islands/LiveControls.tsx";
import type { Dashboard } from "../server/dashboards.ts";

/** The pages in the navigation, with the live stream each follows. */
export const NAV: ReadonlyArray<{ href: string; label: string; stream: Dashboard }> = [
  { href: "/", label: "Users", stream: "users" },
  { href: "/sales", label: "Sales", stream: "sales" },
  { href: "/clicks", label: "Clickstream", stream: "clicks" },
  { href: "/products", label: "Products", stream: "products" },
];

/** Where the operations console is, linked from every page. */
export const CONSOLE_PATH = "/console";

/** The console's pages in the navigation. */
export const CONSOLE_NAV: ReadonlyArray<{ href: string; label: string }> = [
  { href: CONSOLE_PATH, label: "Console" },
  { href: "/console/groups", label: "Groups" },
  { href: "/console/dead-letters", label: "Dead letters" },
];

/**
 * Header of every page; `current` is the active path, whose stream the badge
 * shows, or `live` names the live page it shows (a console page's).
 */
export function Header({ current, live }: { current: string; live?: string }) {
  const stream = live ?? NAV.find((link) => link.href === current)?.stream ?? "users";
  return (
    <header class="top">
      <div class="brand">StreamBoard</div>
      <nav>
        {[...NAV, ...CONSOLE_NAV].map(({ href, label }) => (
          <a key={href} href={href} aria-current={href === current ? "page" : undefined}>{label}</a>
        ))}
      </nav>
      <div class="live-bar">
        <LiveStatus stream={stream} />
        <LiveControls stream={stream} />
      </div>
    </header>
  );
}
