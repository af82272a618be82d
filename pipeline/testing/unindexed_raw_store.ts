/** A raw store standing in for one that cannot list newest first from an index. */

import type { RawStore } from "../ports.ts";

/**
 * `raw` as a store whose `list` would scan (a MongoDB-wire server such as
 * FerretDB on SQLite): the same documents and answers, but
 * `listsNewestFromIndex` is false, so processors keep their newest as
 * entries and pages read those.
 */
export function withoutNewestIndex(raw: RawStore): RawStore {
  return new Proxy(raw, {
    get(target, name) {
      if (name === "listsNewestFromIndex") return false;
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
