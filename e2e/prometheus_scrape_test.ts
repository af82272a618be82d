/**
 * A real Prometheus server (Debian's `prometheus` package) scrapes the app's
 * `/metrics`, answers a query on what it scraped through its HTTP API, and
 * `promtool check metrics` finds nothing to say about the text. Skipped when
 * `/usr/bin/prometheus` is absent, unless `REQUIRE_SERVICES=1` (CI, where
 * `.ci/run` installs it): then it fails, naming what to install.
 */

import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { delay } from "../pipeline/async.ts";

const PROMETHEUS = Deno.env.get("PROMETHEUS_PATH") ?? "/usr/bin/prometheus";
const PROMTOOL = Deno.env.get("PROMTOOL_PATH") ?? "/usr/bin/promtool";
const NAME = "a real Prometheus scrapes /metrics and answers queries; promtool finds it clean";

const installed = await Promise.all(
  [PROMETHEUS, PROMTOOL].map((path) => Deno.stat(path).then(() => true, () => false)),
);
if (installed.every(Boolean)) {
  Deno.test(NAME, scrapeTest);
} else if (Deno.env.get("REQUIRE_SERVICES") === "1") {
  Deno.test(`${NAME}: prometheus installed`, () => {
    throw new Error(
      `${PROMETHEUS} or ${PROMTOOL} is missing; REQUIRE_SERVICES=1 requires them: apt-get install -y prometheus`,
    );
  });
} else {
  console.log(`skipping the Prometheus test: no ${PROMETHEUS}; apt-get install -y prometheus`);
  Deno.test({ name: `${NAME} (skipped: no ${PROMETHEUS})`, ignore: true, fn() {} });
}

/** A port nothing listens on now, on 127.0.0.1. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** One instant vector query's result. */
interface QueryResult {
  status: string;
  data: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; value: [number, string] }>;
  };
}

async function scrapeTest() {
  const f = await startFixture();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => f.app.fetch(req),
  );
  const dir = await Deno.makeTempDir({ prefix: "streamboard-prometheus-" });
  const port = freePort();
  const api = `http://127.0.0.1:${port}`;
  let prometheus: Deno.ChildProcess | undefined;
  try {
    const random = seededRandom(12);
    const now = Date.now();
    await f.produce(Array.from({ length: 15 }, () => generateUser(random, now)), now);
    await f.produce(["not json", "{}"], now);
    await f.waitForUsers(15);

    await Deno.writeTextFile(
      `${dir}/prometheus.yml`,
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "scrape_configs:",
        "  - job_name: streamboard",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${server.addr.port}"]`,
        "",
      ].join("\n"),
    );
    prometheus = new Deno.Command(PROMETHEUS, {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log = drain(prometheus.stderr);

    // The dead-lettered count lands in the aggregate store a moment after the users.
    const query = async (promql: string) => {
      const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return (await response.json()) as QueryResult;
    };
    const valueOf = async (promql: string) => {
      const result = await query(promql).catch(() => undefined);
      const sample = result?.data.result[0];
      return sample === undefined ? undefined : Number(sample.value[1]);
    };
    const processed = 'streamboard_records_processed_total{job="streamboard",stream="users"}';
    const invalid = 'streamboard_records_dead_lettered_total{stream="users",reason="invalid"}';
    const deadline = Date.now() + 30_000;
    while ((await valueOf(processed)) !== 15 || (await valueOf(invalid)) !== 2) {
      if (Date.now() > deadline) {
        throw new Error(
          `Prometheus did not scrape the expected values in 30 s: processed ${await valueOf(
            processed,
          )}, invalid ${await valueOf(invalid)}; its log:\n${log.text()}`,
        );
      }
      await delay(250);
    }
    assert.equal(await valueOf(`up{job="streamboard"}`), 1, "the scrape succeeded");
    const lag = await query('streamboard_watermark_lag_seconds{stream="users"}');
    assert.equal(lag.status, "success");
    assert.ok(lag.data.result.length >= 1, "a watermark lag series per users partition");
    assert.equal(
      await valueOf(
        'sum(streamboard_processing_latency_seconds_count{stream="users"})',
      ),
      15,
    );
    assert.equal(
      await valueOf(`count(streamboard_process_resident_memory_bytes > 0)`),
      1,
      "the process's memory",
    );

    const text = await (await f.app.request("/metrics")).text();
    const check = new Deno.Command(PROMTOOL, {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const { code, stdout, stderr } = await check.output();
    const said = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.equal(code, 0, `promtool check metrics found problems:\n${said}`);
    assert.equal(said.trim(), "");
  } finally {
    if (prometheus) {
      prometheus.kill("SIGTERM");
      await prometheus.status;
    }
    await server.shutdown();
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Reads a child's stream to the end in the background, keeping the text for a failure message. */
function drain(stream: ReadableStream<Uint8Array>): { text(): string } {
  let text = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of stream) {
      text = (text + decoder.decode(chunk, { stream: true })).slice(-4000);
    }
  })();
  return { text: () => text };
}
