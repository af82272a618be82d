/**
 * Serves a Fresh-style project (`routes/`, `islands/`, `static/`, a generated
 * `fresh.gen.ts`) with Hono and Preact server rendering.
 *
 * A route module exports `handler` (a function, or one per HTTP method) and/or
 * a default page component; `ctx.render(data)` renders the page inside
 * `routes/_app.tsx`. Islands used by pages are marked for hydration by the
 * client bundle built with `deno task bundle`.
 */

import { Hono } from "hono";
import { type ComponentType, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { HttpError, json } from "./http_error.ts";
import { registerIslands } from "./islands.ts";
import { StaticFiles } from "./static_files.ts";
import type { AppState } from "./state.ts";
import type { ClientInfo } from "./front_door.ts";
import { securityHeaders } from "./security_headers.ts";
import { hostGuard } from "./host_guard.ts";
import { crossSiteGuard } from "./cross_site_guard.ts";
import { ViewerLimit } from "./viewer_limit.ts";

/** Props of a page component. */
export interface PageProps<T = unknown> {
  data: T;
  url: URL;
}

/** Props of `routes/_app.tsx`, the document shell around every page. */
export interface AppProps {
  Component: ComponentType;
  url: URL;
}

/** What a handler is given besides the request. */
export interface RouteContext {
  params: Record<string, string>;
  state: AppState;
  url: URL;
  /** Who sent the request. */
  client: ClientInfo;
  /** Live streams open per client address (`/api/stream*` take a slot while they run). */
  viewers: ViewerLimit;
  /** Renders the route's page component with `data`. */
  render(data?: unknown, init?: ResponseInit): Response;
}

/** A request handler of a route. */
export type Handler = (req: Request, ctx: RouteContext) => Response | Promise<Response>;

/** Handlers by HTTP method. */
export type Handlers = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;

/** What a module under `routes/` may export. */
export interface RouteModule {
  handler?: Handler | Handlers;
  default?: ComponentType<PageProps<never>> | ComponentType<AppProps>;
}

/** What a module under `islands/` exports. */
export interface IslandModule {
  default: ComponentType<never>;
}

/** The generated manifest (`fresh.gen.ts`). */
export interface Manifest {
  routes: Record<string, RouteModule>;
  islands: Record<string, IslandModule>;
  baseUrl: string;
}

/** `./routes/export/csv.ts` → `/export/csv`, `./routes/index.tsx` → `/`, `[id]` → `:id`. */
export function routePath(file: string): string {
  const path = file.replace(/^\.\/routes/, "").replace(/\.(tsx?|jsx?)$/, "")
    .replace(/\/index$/, "").replace(/\[([^\]]+)\]/g, ":$1");
  return path === "" ? "/" : path;
}

/** `./islands/LiveStats.tsx` → `LiveStats`. */
export function islandName(file: string): string {
  return file.replace(/^.*\//, "").replace(/\.(tsx?|jsx?)$/, "");
}

/**
 * What the server passes with each request (`app.fetch(req, client)`); a
 * request without it, as in `app.request(path)`, comes from `UNKNOWN_CLIENT`.
 */
export type AppEnv = { Bindings: ClientInfo | undefined };

/** The client of a request that came without one. */
export const UNKNOWN_CLIENT: ClientInfo = { address: "unknown" };

/**
 * Builds the Hono app of a manifest with the given state: security headers
 * on every response, only known host names, no cross-site writes.
 */
export function createApp(manifest: Manifest, state: AppState): Hono<AppEnv> {
  registerIslands(
    Object.fromEntries(
      Object.entries(manifest.islands).map((
        [file, mod],
      ) => [islandName(file), mod.default as ComponentType<Record<string, unknown>>]),
    ),
  );
  const shell = manifest.routes["./routes/_app.tsx"]?.default as unknown as
    | ComponentType<AppProps>
    | undefined;
  const app = new Hono<AppEnv>();
  const viewers = new ViewerLimit(state.config.web.sseViewersPerClient);
  const files = new StaticFiles(new URL("./static/", manifest.baseUrl));

  app.onError((error, c) => {
    if (error instanceof HttpError) {
      return json({ error: error.message }, error.status, error.headers);
    }
    state.log.error(`${c.req.method} ${c.req.path} failed: ${error.stack ?? error}`);
    return json({ error: "internal error; the server log has the details" }, 500);
  });
  app.use(async (c, next) => {
    await next();
    // Hono answers HEAD with the GET's headers and drops its body without cancelling it: a
    // live stream would hold its viewer slot and its subscription for as long as the process.
    if (c.req.method === "HEAD" && c.res.body) {
      await c.res.body.cancel();
      c.res = new Response(null, c.res);
    }
  });
  app.use(securityHeaders());
  app.use(hostGuard(state.config.web));
  app.use(crossSiteGuard(state.config.web.allowedOrigins));

  const entries = Object.entries(manifest.routes)
    .filter(([file]) => !/\/_[^/]*$/.test(file))
    .map(([file, mod]) => ({ path: routePath(file), mod }))
    .sort((a, b) => Number(a.path.includes(":")) - Number(b.path.includes(":")));

  for (const { path, mod } of entries) {
    app.all(path, (c) => {
      const req = c.req.raw;
      const url = new URL(req.url);
      const ctx: RouteContext = {
        params: c.req.param() as Record<string, string>,
        state,
        url,
        client: c.env ?? UNKNOWN_CLIENT,
        viewers,
        render: (data, init) => {
          const page = mod.default as ComponentType<PageProps> | undefined;
          if (!page) throw new Error(`route ${path} has no page component to render`);
          const body = h(page, { data, url }) as unknown as VNode;
          const doc = shell ? h(shell, { Component: () => body, url }) as unknown as VNode : body;
          const html = renderToString(doc);
          return new Response(`<!DOCTYPE html>${html}`, {
            ...init,
            headers: { "content-type": "text/html; charset=utf-8", ...init?.headers },
          });
        },
      };
      const handler = pickHandler(mod, req.method, path);
      return handler(req, ctx);
    });
  }

  app.get("*", (c) => files.serve(c.req.raw));
  app.all("*", (c) => json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

function pickHandler(mod: RouteModule, method: string, path: string): Handler {
  const { handler } = mod;
  if (typeof handler === "function") return handler;
  const handlers = handler ?? {};
  const key = (method === "HEAD" ? "GET" : method) as keyof Handlers;
  const found = handlers[key];
  if (found) return found;
  if (key === "GET" && mod.default) return (_req, ctx) => ctx.render();
  const allowed = [...Object.keys(handlers), ...(mod.default && !handlers.GET ? ["GET"] : [])];
  throw new HttpError(405, `${method} is not allowed on ${path}; use ${allowed.join(" or ")}`, {
    allow: allowed.join(", "),
  });
}
