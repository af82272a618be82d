/**
 * A live page's snapshot in the browser, for pages whose snapshot type is
 * not one of the dashboards' (the console): one `EventSource` on
 * `/api/stream/<page>`, whose `snapshot` and `update` events replace it.
 */

import { useEffect, useState } from "preact/hooks";
import { type ConnectionState, SNAPSHOT_EVENTS } from "./dashboard_store.ts";

/** `EventSource.CLOSED`: the browser will not reconnect by itself. */
const CLOSED = 2;

/** The newest snapshot of `page` (`initial` until the first event) and the stream's state. */
export function useLivePage<T>(
  page: string,
  initial: T,
): { snapshot: T; connection: ConnectionState } {
  const [snapshot, setSnapshot] = useState(initial);
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  useEffect(() => {
    const source = new EventSource(`/api/stream/${page}`);
    source.addEventListener("open", () => setConnection("live"));
    source.addEventListener(
      "error",
      () => setConnection(source.readyState === CLOSED ? "offline" : "reconnecting"),
    );
    for (const type of SNAPSHOT_EVENTS) {
      source.addEventListener(type, (event) => {
        try {
          setSnapshot(JSON.parse(String((event as MessageEvent).data)) as T);
        } catch (error) {
          // One bad frame must not stop the page; the next one replaces the whole snapshot.
          console.error(`/api/stream/${page}: cannot parse the ${type} event: ${error}`);
        }
      });
    }
    return () => source.close();
  }, [page]);
  return { snapshot, connection };
}
