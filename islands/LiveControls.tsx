/**
 * The page's live controls: a Pause / Resume button (a toggle, `aria-pressed`)
 * and, while paused, a badge counting the updates waiting. Pausing holds the
 * page's one live store (`client/dashboard_store.ts`), so every island of the
 * page stands still together and resuming applies the waiting updates at once.
 */

import { useEffect } from "preact/hooks";
import { connectLive, liveStore } from "../client/dashboard_store.ts";

/** Props: the live page whose store the controls hold. */
export interface LiveControlsProps {
  stream: string;
}

/** Pause / Resume of the page's live updates, with the count of updates waiting. */
export default function LiveControls({ stream }: LiveControlsProps) {
  useEffect(() => {
    connectLive(stream);
  }, [stream]);
  const store = liveStore(stream);
  const paused = store.paused.value;
  const waiting = store.waiting.value;
  return (
    <span class="live-controls">
      <button
        type="button"
        class="button pause"
        data-testid="pause"
        aria-pressed={paused ? "true" : "false"}
        title={paused ? "Show the waiting updates and follow live again" : "Stop the page moving"}
        onClick={() => store.togglePause()}
      >
        {paused ? "Resume" : "Pause"}
      </button>
      {paused && (
        <span class="waiting" data-testid="waiting" role="status">
          {waiting} {waiting === 1 ? "update" : "updates"} waiting
        </span>
      )}
    </span>
  );
}
