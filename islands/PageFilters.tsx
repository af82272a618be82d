/**
 * The filter bar of a dashboard: a time range (presets or custom) and the
 * page's filters. Applying it loads the page at a URL holding the view, so
 * the server renders it filtered, the live stream follows the same view, and
 * the URL can be shared. A plain form underneath: it works from the keyboard.
 */

import { useState } from "preact/hooks";
import type { FilterSpec, PageView } from "../server/page_filters.ts";
import { boundFromInput, localInput } from "../client/local_time.ts";

/** One filter field of the bar. */
export interface FilterField {
  /** Query parameter. */
  name: string;
  label: string;
  spec: FilterSpec;
  /** Values offered while typing (text filters). */
  suggestions?: string[];
}

/** Props: the page, its view as the server parsed it from the URL, and its filter fields. */
export interface PageFiltersProps {
  page: string;
  view: PageView;
  fields: FilterField[];
}

const RANGES = [
  ["all", "Everything"],
  ["5m", "Last 5 minutes"],
  ["1h", "Last hour"],
  ["1d", "Last day"],
  ["custom", "Custom"],
] as const;

/**
 * The query of the form's current values: empty fields left out, custom
 * times as ms. A time left as the view had it keeps its exact ms (the input
 * shows whole seconds), so applying another filter does not move the range.
 */
export function formQuery(form: HTMLFormElement, view: PageView): string {
  const data = new FormData(form);
  const params = new URLSearchParams();
  const range = String(data.get("range") ?? "all");
  if (range === "custom") {
    for (const bound of ["from", "to"] as const) {
      const text = String(data.get(`${bound}Local`) ?? "");
      if (text === "") continue;
      params.set(bound, String(boundFromInput(text, view[bound])));
    }
  } else if (range !== "all") {
    params.set("range", range);
  }
  for (const [name, value] of data) {
    if (name === "range" || name.endsWith("Local") || String(value).trim() === "") continue;
    params.set(name, String(value).trim());
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** The filter bar. */
export default function PageFilters({ page, view, fields }: PageFiltersProps) {
  const [range, setRange] = useState<string>(view.range);
  const submit = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    globalThis.location.assign(`${globalThis.location.pathname}${formQuery(form, view)}`);
  };
  return (
    <form
      class="card filters"
      method="get"
      onSubmit={submit}
      data-testid="page-filters"
      aria-label={`Filter the ${page} page`}
    >
      <label>
        Time range
        <select
          name="range"
          value={range}
          onChange={(e) => setRange(e.currentTarget.value)}
          data-testid="filter-range"
        >
          {RANGES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      {range === "custom" && (
        <>
          {(["from", "to"] as const).map((bound) => (
            <label key={bound}>
              {bound === "from" ? "From" : "To"}
              <input
                type="datetime-local"
                step={1}
                name={`${bound}Local`}
                value={localInput(view[bound])}
                data-testid={`filter-${bound}`}
              />
            </label>
          ))}
        </>
      )}
      {fields.map((field) => {
        const value = view.filters[field.name];
        const id = `filter-${field.name}`;
        if (field.spec.kind === "choice") {
          return (
            <label key={field.name}>
              {field.label}
              <select
                name={field.name}
                value={value === undefined ? "" : String(value)}
                data-testid={id}
              >
                <option value="">Any</option>
                {field.spec.values.map((v) => <option key={v} value={v}>{v}</option>)}
              </select>
            </label>
          );
        }
        return (
          <label key={field.name}>
            {field.label}
            <input
              name={field.name}
              type={field.spec.kind === "int" ? "number" : "search"}
              min={field.spec.kind === "int" ? field.spec.min : undefined}
              max={field.spec.kind === "int" ? field.spec.max : undefined}
              step={field.spec.kind === "int" ? 1 : undefined}
              maxLength={field.spec.kind === "text" ? 100 : undefined}
              value={value === undefined ? "" : String(value)}
              list={field.suggestions ? `${id}-list` : undefined}
              data-testid={id}
            />
            {field.suggestions && (
              <datalist id={`${id}-list`}>
                {field.suggestions.map((s) => <option key={s} value={s} />)}
              </datalist>
            )}
          </label>
        );
      })}
      <button class="button" type="submit" data-testid="filter-apply">Apply</button>
      <a href="?" data-testid="filter-reset">Reset</a>
    </form>
  );
}
