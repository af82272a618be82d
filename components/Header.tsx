/** The page header: product name, navigation and the live status badge. */

import LiveStatus from "../islands/LiveStatus.tsx";

/** Header of every dashboard page; `current` is the active path. */
export function Header({ current }: { current: string }) {
  const links = [["/", "Users"]] as const;
  return (
    <header class="top">
      <div class="brand">StreamBoard</div>
      <nav>
        {links.map(([href, label]) => (
          <a key={href} href={href} aria-current={href === current ? "page" : undefined}>{label}</a>
        ))}
      </nav>
      <LiveStatus />
    </header>
  );
}
