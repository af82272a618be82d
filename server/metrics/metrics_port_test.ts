import assert from "node:assert/strict";
import { metricsPort } from "./metrics_port.ts";
import { silentLogger } from "../../pipeline/logger.ts";
import type { MetricFamily } from "./exposition.ts";

const gauge = (name: string): MetricFamily[] => [
  { name, help: "h", type: "gauge", samples: [{ labels: {}, value: 1 }] },
];

Deno.test("a source that fails or does not answer in time is left out and shown down, the rest is served", async () => {
  const warnings: string[] = [];
  const port = metricsPort({
    providers: [
      { name: "fine", collect: () => gauge("streamboard_fine") },
      { name: "broken", collect: () => Promise.reject(new Error("store down")) },
      { name: "hanging", collect: () => new Promise<MetricFamily[]>(() => {}) },
    ],
    timeoutMs: 20,
    log: { ...silentLogger, warn: (m) => warnings.push(m) },
  });
  const text = await port.render();
  assert.match(text, /^streamboard_fine 1$/m);
  assert.match(text, /^streamboard_metrics_source_up\{source="fine"\} 1$/m);
  assert.match(text, /^streamboard_metrics_source_up\{source="broken"\} 0$/m);
  assert.match(text, /^streamboard_metrics_source_up\{source="hanging"\} 0$/m);
  assert.equal(warnings.length, 2);
  assert.match(warnings.join("\n"), /broken failed \(Error: store down/);
  assert.match(warnings.join("\n"), /hanging did not answer within 20 ms/);
});
