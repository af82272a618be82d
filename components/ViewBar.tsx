/**
 * A dashboard's view controls: the filter bar (time range and the page's
 * filters) and the export links of every table and chart on the page, each
 * in CSV, NDJSON and Parquet, for the view the URL states.
 */

import PageFilters, { type FilterField } from "../islands/PageFilters.tsx";
import { PAGE_FILTERS, parseView, viewSearch } from "../server/page_filters.ts";
import { TABLE_LABELS } from "../server/page_tables.ts";
import { EXPORT_FORMATS } from "../server/table_export.ts";

/** How each filter is labelled on its page. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  gender: "Gender",
  country: "Country",
  ageMin: "Age from",
  ageMax: "Age to",
  name: "Name contains",
  product: "Product",
  category: "Category",
  city: "City",
  device: "Device",
  item: "Item",
};

/** Props: the page, the request URL (its query is the view) and values to suggest per filter. */
export interface ViewBarProps {
  page: string;
  url: URL;
  suggestions?: Record<string, string[]>;
}

/** The filter bar and the export links of a page. */
export function ViewBar({ page, url, suggestions = {} }: ViewBarProps) {
  // The route already parsed this query (a bad one is a 400 before rendering).
  const view = parseView(page, url.searchParams);
  const fields: FilterField[] = Object.entries(PAGE_FILTERS[page] ?? {}).map(([name, spec]) => ({
    name,
    label: FIELD_LABELS[name] ?? name,
    spec,
    ...(suggestions[name] ? { suggestions: suggestions[name] } : {}),
  }));
  const search = viewSearch(view);
  const query = (format: string) =>
    search === "" ? `?format=${format}` : `${search}&format=${format}`;
  return (
    <>
      <PageFilters page={page} view={view} fields={fields} />
      <details class="card exports" data-testid="page-exports">
        <summary>Export this view</summary>
        <ul>
          {Object.entries(TABLE_LABELS[page] ?? {}).map(([table, label]) => (
            <li key={table}>
              <span>{label}</span> {EXPORT_FORMATS.map((format) => (
                <a
                  key={format}
                  class="export-link"
                  href={`/api/export/${page}/${table}${query(format)}`}
                  download
                  data-testid={`export-${table}-${format}`}
                >
                  {format === "ndjson" ? "NDJSON" : format === "csv" ? "CSV" : "Parquet"}
                </a>
              ))}
            </li>
          ))}
        </ul>
      </details>
    </>
  );
}
