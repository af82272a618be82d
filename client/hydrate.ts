/**
 * Browser side of islands: hydrates every `[data-island]` marker the server
 * rendered with the component of that name and the props serialised just
 * before it (see `server/islands.ts`).
 */

import { type ComponentType, h, hydrate } from "preact";

/** Hydrates all island markers in the document with the given components. */
export function hydrateIslands(components: Record<string, ComponentType<never>>) {
  for (const marker of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const name = marker.dataset.island!;
    const component = components[name];
    const script = marker.previousElementSibling;
    if (!component || !(script instanceof HTMLScriptElement)) {
      console.error(`island "${name}" has no component or props in this bundle`);
      continue;
    }
    const props = JSON.parse(script.textContent ?? "{}") as never;
    hydrate(h(component, props), marker);
  }
}
