/**
 * Clickstream sessions: a user's clicks and views with less than the session
 * gap of event time between them, on session windows of the one windowing
 * engine (`../windowing/windows.ts`), keyed by `user_id`. A session belongs
 * to the device most of its views came from (clicks carry no device); one
 * with clicks only is counted under `none`. Pure: no clock, no I/O.
 */

import type { Json, JsonObject } from "../ports.ts";
import type { Aggregation, PartitionCheckpoint, WindowResult } from "../windowing/windows.ts";
import { DEVICE_TYPES, type DeviceType } from "./events.ts";
import type { TimedActivity } from "./activity.ts";

/** What a session's device is counted under: a device type, or `none` for clicks only. */
export const SESSION_DEVICES = [...DEVICE_TYPES, "none"] as const;

/** One of `SESSION_DEVICES`. */
export type SessionDevice = typeof SESSION_DEVICES[number];

/** One session so far: its events, first and last event time, and views per device. */
export interface SessionState {
  events: number;
  /** Event time of the first and the last event, ms. */
  first: number;
  last: number;
  views: Record<DeviceType, number>;
}

/** What the sessions of one device add up to. */
export interface SessionTotal {
  sessions: number;
  events: number;
  /** Sum of session durations (last minus first event time), ms. */
  durationMs: number;
}

/** Session totals by device. */
export type SessionTotals = Record<SessionDevice, SessionTotal>;

/** What the page shows of one device's sessions. */
export interface SessionFigures {
  sessions: number;
  /** Mean duration, ms (0 without sessions). */
  meanDurationMs: number;
  /** Mean events per session, to one decimal (0 without sessions). */
  eventsPerSession: number;
}

function noViews(): Record<DeviceType, number> {
  return { mobile: 0, desktop: 0, tablet: 0 };
}

/** Totals of no session. */
export function emptyTotals(): SessionTotals {
  return Object.fromEntries(
    SESSION_DEVICES.map((d) => [d, { sessions: 0, events: 0, durationMs: 0 }]),
  ) as SessionTotals;
}

/** The device a session is counted under: most views, ties in `DEVICE_TYPES` order. */
export function sessionDevice(state: SessionState): SessionDevice {
  let best: SessionDevice = "none";
  let most = 0;
  for (const device of DEVICE_TYPES) {
    if (state.views[device] > most) [best, most] = [device, state.views[device]];
  }
  return best;
}

/** `total` with one more session. */
export function addSession(total: SessionTotals, state: SessionState): SessionTotals {
  const device = sessionDevice(state);
  const t = total[device];
  return {
    ...total,
    [device]: {
      sessions: t.sessions + 1,
      events: t.events + state.events,
      durationMs: t.durationMs + state.last - state.first,
    },
  };
}

/** Totals saved as JSON (a checkpoint's `retired`), read back; missing figures are 0. */
export function totalsOf(json: Json | undefined): SessionTotals {
  const out = emptyTotals();
  if (json === null || typeof json !== "object" || Array.isArray(json)) return out;
  for (const device of SESSION_DEVICES) {
    const t = json[device];
    if (t === null || typeof t !== "object" || Array.isArray(t)) continue;
    const n = (v: Json | undefined) => typeof v === "number" ? v : 0;
    out[device] = { sessions: n(t.sessions), events: n(t.events), durationMs: n(t.durationMs) };
  }
  return out;
}

/** Totals as JSON. */
function totalsJson(totals: SessionTotals): JsonObject {
  return Object.fromEntries(SESSION_DEVICES.map((d) => [d, { ...totals[d] }]));
}

/**
 * How activity records (clicks and views) fold into sessions keyed by user: merged sessions add
 * their events and views and span both; sessions dropped at their cleanup
 * time are totalled by device.
 */
export const SESSIONS: Aggregation<TimedActivity, SessionState> = {
  empty: () => ({ events: 0, first: Infinity, last: -Infinity, views: noViews() }),
  add: (acc, { activity, ts }) => ({
    events: acc.events + 1,
    first: Math.min(acc.first, ts),
    last: Math.max(acc.last, ts),
    views: activity.device_type
      ? { ...acc.views, [activity.device_type]: acc.views[activity.device_type] + 1 }
      : acc.views,
  }),
  merge: (a, b) => ({
    events: a.events + b.events,
    first: Math.min(a.first, b.first),
    last: Math.max(a.last, b.last),
    views: {
      mobile: a.views.mobile + b.views.mobile,
      desktop: a.views.desktop + b.views.desktop,
      tablet: a.views.tablet + b.views.tablet,
    },
  }),
  key: ({ activity }) => String(activity.user_id),
  retire: (total, window: WindowResult<SessionState>) =>
    totalsJson(addSession(totalsOf(total), window.value)),
};

/**
 * A partition's sessions as its read model: sessions dropped at cleanup plus
 * those that fired and may still change within their allowed lateness (open
 * sessions are not over yet and are not counted).
 */
export function sessionsReadModel(state: PartitionCheckpoint<SessionState>): JsonObject {
  let totals = totalsOf(state.retired);
  for (const { value } of state.fired ?? []) totals = addSession(totals, value);
  return totalsJson(totals);
}

/** The page's figures per device from the read models of every partition. */
export function sessionFigures(models: readonly Json[]): Record<SessionDevice, SessionFigures> {
  const sum = emptyTotals();
  for (const model of models) {
    const totals = totalsOf(model);
    for (const d of SESSION_DEVICES) {
      sum[d] = {
        sessions: sum[d].sessions + totals[d].sessions,
        events: sum[d].events + totals[d].events,
        durationMs: sum[d].durationMs + totals[d].durationMs,
      };
    }
  }
  return Object.fromEntries(SESSION_DEVICES.map((d) => {
    const { sessions, events, durationMs } = sum[d];
    return [d, {
      sessions,
      meanDurationMs: sessions ? Math.round(durationMs / sessions) : 0,
      eventsPerSession: sessions ? Math.round((events / sessions) * 10) / 10 : 0,
    }];
  })) as Record<SessionDevice, SessionFigures>;
}
