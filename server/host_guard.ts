/**
 * Answers only for host names the server is known by. A page on a name the
 * attacker controls, re-pointed at 127.0.0.1 (DNS rebinding), reaches the
 * server with that name in `Host`, so it is refused before any route runs.
 */

import type { MiddlewareHandler } from "hono";
import { json } from "./http_error.ts";

/** The loopback names, answered on any port. */
export const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** What the server is known by. */
export interface HostGuardOptions {
  /** The interface it listens on (`HOST`); a wildcard address is not a name. */
  host: string;
  /** Further names (`STREAMBOARD_ALLOWED_HOSTS`), lower case, without port. */
  allowedHosts: readonly string[];
}

/** The set of host names (without port, lower case) the server answers for. */
export function answeredHosts({ host, allowedHosts }: HostGuardOptions): Set<string> {
  const names = new Set([...LOOPBACK_HOSTS, ...allowedHosts]);
  const configured = host.toLowerCase();
  if (!["0.0.0.0", "::", "[::]"].includes(configured)) {
    names.add(
      configured.includes(":") && !configured.startsWith("[") ? `[${configured}]` : configured,
    );
  }
  return names;
}

/** Middleware answering 421 to a request whose `Host` is not one of `answeredHosts`. */
export function hostGuard(options: HostGuardOptions): MiddlewareHandler {
  const names = answeredHosts(options);
  return async (c, next) => {
    const hostname = new URL(c.req.url).hostname;
    if (!names.has(hostname)) {
      return json(
        {
          error: `this server does not answer for host "${hostname}"; ` +
            `it answers for ${[...names].join(", ")} (add names with STREAMBOARD_ALLOWED_HOSTS)`,
        },
        421,
      );
    }
    await next();
  };
}
