/** Views per device type as horizontal bars with shares, live (plain HTML, no script needed). */

import { useDashboard } from "../client/dashboard_store.ts";
import { formatCount, formatShare } from "../client/format.ts";
import type { ClicksSnapshot } from "../server/dashboards.ts";

/** Props: views per device as rendered on the server. */
export interface DeviceSplitProps {
  initial: ClicksSnapshot["devices"];
}

const DEVICES = [
  ["mobile", "Mobile", "#4f46e5"],
  ["desktop", "Desktop", "#0ea5e9"],
  ["tablet", "Tablet", "#10b981"],
] as const;

/** The device split card of the clickstream page. */
export default function DeviceSplit({ initial }: DeviceSplitProps) {
  const devices = useDashboard("clicks", initial, (s) => s.devices);
  const total = devices.mobile + devices.desktop + devices.tablet;
  return (
    <section class="card">
      <h2>Views by device</h2>
      <div
        class="device-split"
        data-testid="device-split"
        data-values={DEVICES.map(([key]) => devices[key]).join(",")}
      >
        {total === 0 && <p class="muted empty">No views yet</p>}
        {DEVICES.map(([key, label, color]) => (
          <div class="device" key={key}>
            <div class="device-head">
              <span>{label}</span>
              <span class="num">
                <span data-testid={`device-${key}`}>{formatCount(devices[key])}</span>
                <span class="muted">{` · ${formatShare(devices[key], total)}`}</span>
              </span>
            </div>
            <div class="track">
              <span
                class="bar"
                style={{
                  width: total > 0 ? `${(devices[key] / total) * 100}%` : "0%",
                  background: color,
                }}
              />
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}
