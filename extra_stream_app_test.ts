/**
 * The web half of "adding a stream is one folder plus one line": the whole
 * app (`start` of `main.ts`, workers and all) started with a registry that
 * holds the test-only temperatures stream serves that stream's page, with no
 * web code written for it: `GET /api/pages/temperatures` answers its JSON
 * read model and `/api/stream/temperatures` pushes it live over SSE.
 */

import assert from "node:assert/strict";
import { type Config, DEFAULTS, withConfig } from "./config.ts";
import { start } from "./main.ts";
import { WITH_TEMPERATURES } from "./pipeline/testing/extra_stream/registry.ts";
import { until } from "./pipeline/testing/until.ts";
import type { StreamPageSnapshot } from "./server/dashboards.ts";

/** The server-sent events of a response body, as they arrive. */
async function* events(body: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = frame.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
      if (event) yield { event, data: JSON.parse(data.join("\n")) as StreamPageSnapshot };
    }
  }
}

Deno.test("a registered extra stream gets a live page: its JSON read model and its SSE feed", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-extra-app-" });
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    web: { port: 0 },
    broker: { pollMs: 5, partitions: 2 },
    producer: { rate: 40, seed: 11 },
    streams: { selected: ["temperatures"] },
  });
  const running = await start(config, WITH_TEMPERATURES);
  try {
    const read = async () => {
      const res = await fetch(new URL("/api/pages/temperatures", running.url));
      assert.equal(res.status, 200);
      return (await res.json()) as StreamPageSnapshot;
    };
    let filled!: StreamPageSnapshot["streams"][number];
    await until(async () => {
      [filled] = (await read()).streams;
      return filled.newest.length > 0 && filled.readModels.length > 0;
    }, 30_000);
    assert.equal(filled.stream, "temperatures");
    assert.equal(filled.title, "Temperatures");
    for (const doc of filled.newest) {
      assert.equal(doc.fahrenheit, Number(doc.celsius) * 9 / 5 + 32, "derived by the stream");
    }
    const [model] = filled.readModels;
    assert.equal(typeof model.model.watermark, "number", "the processor wrote its read model");
    assert.deepEqual(filled.rejected, { invalid: 0, late: 0, processingError: 0, duplicate: 0 });

    const stream = await fetch(new URL("/api/stream/temperatures", running.url));
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
    const live = events(stream.body!);
    const first = (await live.next()).value!;
    assert.equal(first.event, "snapshot");
    const seen = JSON.stringify(first.data.streams[0].newest[0]);
    let update;
    do update = (await live.next()).value!; while (
      update.event !== "update" || JSON.stringify(update.data.streams[0].newest[0]) === seen
    );
    assert.ok(update.data.streams[0].newest.length > 0, "newer readings pushed live");
    await live.return(undefined); // ends the for-await over the body, which cancels it

    const unknown = await fetch(new URL("/api/pages/thermometers", running.url));
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).error, /temperatures/);
  } finally {
    await running.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
