/**
 * Server side of islands: while a page renders, every island component is
 * wrapped in a marker holding its props as JSON, which the client bundle
 * (`client/hydrate.ts`) finds and hydrates. Pages use islands as ordinary
 * components, as in Fresh.
 */

import { type ComponentType, Fragment, h, options, type VNode } from "preact";

type AnyComponent = ComponentType<Record<string, unknown>>;

const islands = new Map<AnyComponent, string>();
let bypass = false;
let installed = false;

/** Serialises props for an inline `<script type="application/json">`, safe against `</script>`. */
export function serializeProps(props: unknown): string {
  return JSON.stringify(props).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

function IslandMarker(
  { name, component, props }: {
    name: string;
    component: AnyComponent;
    props: Record<string, unknown>;
  },
): VNode {
  const { children: _children, ...data } = props;
  bypass = true;
  const inner = h(component, props);
  bypass = false;
  return h(
    Fragment,
    null,
    h("script", {
      type: "application/json",
      "data-island-props": name,
      dangerouslySetInnerHTML: { __html: serializeProps(data) },
    }),
    h("div", { "data-island": name, style: "display:contents" }, inner),
  );
}

/** Registers island components (name → component) and installs the render hook once. */
export function registerIslands(entries: Record<string, AnyComponent>): void {
  for (const [name, component] of Object.entries(entries)) islands.set(component, name);
  if (installed) return;
  installed = true;
  const previous = options.vnode;
  options.vnode = (vnode) => {
    const name = typeof vnode.type === "function" && !bypass
      ? islands.get(vnode.type as AnyComponent)
      : undefined;
    if (name !== undefined) {
      const component = vnode.type as AnyComponent;
      vnode.props = { name, component, props: vnode.props } as unknown as typeof vnode.props;
      vnode.type = IslandMarker as typeof vnode.type;
    }
    previous?.(vnode);
  };
}
