/**
 * Prometheus' text exposition format (version 0.0.4), written by hand: a
 * metric family is plain data, `exposition` turns families into the text a
 * Prometheus server scrapes from `/metrics`.
 *
 * Names follow Prometheus' conventions (`streamboard_` prefix, `_total` on
 * counters, base units `_seconds` and `_bytes`); a name or label that breaks
 * them is a bug in our code and throws.
 */

/** Label names and their values. */
export type Labels = Readonly<Record<string, string>>;

/** One value of a counter or gauge. */
export interface Sample {
  labels: Labels;
  value: number;
}

/** One histogram: counts per bucket (not cumulative), their sum and count. */
export interface HistogramSample {
  labels: Labels;
  /** Upper bounds of the buckets, ascending, without `+Inf`. */
  bounds: readonly number[];
  /** Observations per bucket, `bounds.length + 1` of them (the last is above every bound). */
  counts: readonly number[];
  sum: number;
}

/** A metric family: its name, help text, type and samples. */
export type MetricFamily =
  | { name: string; help: string; type: "counter" | "gauge"; samples: Sample[] }
  | { name: string; help: string; type: "histogram"; samples: HistogramSample[] };

/** The content type of the text format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The families as exposition text, each with its HELP and TYPE lines. */
export function exposition(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`bad metric name "${family.name}"`);
    if (seen.has(family.name)) throw new Error(`metric "${family.name}" is exposed twice`);
    if (family.type === "counter" && !family.name.endsWith("_total")) {
      throw new Error(`counter "${family.name}" must end in _total`);
    }
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.type === "histogram") {
      for (const sample of family.samples) lines.push(...histogramLines(family.name, sample));
    } else {
      for (const { labels, value } of family.samples) {
        lines.push(`${family.name}${labelText(labels)} ${formatValue(value)}`);
      }
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function histogramLines(name: string, sample: HistogramSample): string[] {
  const { labels, bounds, counts, sum } = sample;
  if (counts.length !== bounds.length + 1) {
    throw new Error(`histogram "${name}" has ${counts.length} counts for ${bounds.length} bounds`);
  }
  if (Object.hasOwn(labels, "le")) throw new Error(`histogram "${name}" may not have a label le`);
  const lines: string[] = [];
  let cumulative = 0;
  for (const [i, bound] of bounds.entries()) {
    cumulative += counts[i];
    lines.push(
      `${name}_bucket${labelText({ ...labels, le: formatValue(bound) })} ${cumulative}`,
    );
  }
  cumulative += counts[bounds.length];
  lines.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${cumulative}`);
  lines.push(`${name}_sum${labelText(labels)} ${formatValue(sum)}`);
  lines.push(`${name}_count${labelText(labels)} ${cumulative}`);
  return lines;
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${
    entries.map(([name, value]) => {
      if (!LABEL_NAME.test(name) || name.startsWith("__")) {
        throw new Error(`bad label name "${name}"`);
      }
      return `${name}="${escapeLabelValue(value)}"`;
    }).join(",")
  }}`;
}

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A help text as the format wants it: backslash and line feed escaped. */
export function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value: `+Inf`, `-Inf` and `NaN` spelled as Prometheus reads them. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
