import assert from "node:assert/strict";
import { escapeHelp, escapeLabelValue, exposition, formatValue } from "./exposition.ts";
import { Histogram } from "./histogram.ts";

Deno.test("a counter is written with its HELP and TYPE lines and one line per labelled sample", () => {
  const text = exposition([{
    name: "streamboard_records_processed_total",
    help: "Records stored.",
    type: "counter",
    samples: [{ labels: { stream: "users" }, value: 3 }, { labels: { stream: "sales" }, value: 0 }],
  }]);
  assert.equal(
    text,
    "# HELP streamboard_records_processed_total Records stored.\n" +
      "# TYPE streamboard_records_processed_total counter\n" +
      'streamboard_records_processed_total{stream="users"} 3\n' +
      'streamboard_records_processed_total{stream="sales"} 0\n',
  );
});

Deno.test("label values escape backslash, double quote and line feed; help escapes backslash and line feed", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.equal(escapeHelp('x\\y\nz "q"'), 'x\\\\y\\nz "q"');
  const text = exposition([{
    name: "streamboard_test",
    help: "two\nlines",
    type: "gauge",
    samples: [{ labels: { reason: 'bad "value"\n' }, value: 1 }],
  }]);
  assert.match(text, /^# HELP streamboard_test two\\nlines$/m);
  assert.match(text, /^streamboard_test\{reason="bad \\"value\\"\\n"\} 1$/m);
});

Deno.test("special values are spelled as Prometheus reads them", () => {
  assert.equal(formatValue(Infinity), "+Inf");
  assert.equal(formatValue(-Infinity), "-Inf");
  assert.equal(formatValue(NaN), "NaN");
  assert.equal(formatValue(0.25), "0.25");
});

Deno.test("histogram buckets are cumulative and end in +Inf, with _sum and _count", () => {
  const histogram = new Histogram([0.1, 1]);
  for (const v of [0.05, 0.1, 0.5, 2, 3]) histogram.observe(v);
  assert.equal(histogram.count, 5);
  const text = exposition([{
    name: "streamboard_latency_seconds",
    help: "Latency.",
    type: "histogram",
    samples: [histogram.sample({ stream: "users" })],
  }]);
  assert.equal(
    text,
    "# HELP streamboard_latency_seconds Latency.\n" +
      "# TYPE streamboard_latency_seconds histogram\n" +
      'streamboard_latency_seconds_bucket{stream="users",le="0.1"} 2\n' +
      'streamboard_latency_seconds_bucket{stream="users",le="1"} 3\n' +
      'streamboard_latency_seconds_bucket{stream="users",le="+Inf"} 5\n' +
      'streamboard_latency_seconds_sum{stream="users"} 5.65\n' +
      'streamboard_latency_seconds_count{stream="users"} 5\n',
  );
});

Deno.test("names that break Prometheus' rules are refused loudly", () => {
  const gauge = (name: string, labels: Record<string, string> = {}) =>
    exposition([{ name, help: "h", type: "gauge", samples: [{ labels, value: 1 }] }]);
  assert.throws(() => gauge("streamboard-bad"), /bad metric name/);
  assert.throws(() => gauge("streamboard_ok", { "bad-label": "x" }), /bad label name/);
  assert.throws(() => gauge("streamboard_ok", { __reserved: "x" }), /bad label name/);
  assert.throws(
    () => exposition([{ name: "streamboard_count", help: "h", type: "counter", samples: [] }]),
    /must end in _total/,
  );
  assert.throws(
    () =>
      exposition([
        { name: "streamboard_x", help: "h", type: "gauge", samples: [] },
        { name: "streamboard_x", help: "h", type: "gauge", samples: [] },
      ]),
    /exposed twice/,
  );
});

Deno.test("histogram bounds must ascend", () => {
  assert.throws(() => new Histogram([1, 0.5]), /must ascend/);
});
