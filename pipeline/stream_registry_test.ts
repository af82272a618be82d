import assert from "node:assert/strict";
import { DEFAULTS, loadConfig, withConfig } from "../config.ts";
import { loadRegistry, StreamRegistry, STREAMS } from "./stream_registry.ts";
import { streamSettings } from "./stream_module.ts";
import { temperaturesModule } from "./testing/extra_stream/temperatures.ts";

Deno.test("the shipped streams are listed once, in page order", () => {
  assert.deepEqual(STREAMS.names, [
    "users",
    "sales",
    "clicks",
    "views",
    "ratings",
    "products",
    "sessions",
  ]);
  assert.equal(STREAMS.get("views").topics.dlqTopic, "views.dlq");
});

Deno.test("an unknown stream name is refused with the names there are", () => {
  assert.throws(() => STREAMS.get("orders"), {
    name: "RangeError",
    message:
      `there is no stream "orders"; the streams are users, sales, clicks, views, ratings, products, sessions`,
  });
  assert.throws(() => STREAMS.check(loadConfig({ STREAMBOARD_STREAMS: "users,orders" })), {
    name: "SettingError",
    message:
      `STREAMBOARD_STREAMS must list streams among users, sales, clicks, views, ratings, products, sessions, got "users,orders"`,
  });
  assert.throws(
    () => STREAMS.check(loadConfig({ STREAMBOARD_STREAMS: " , " })),
    /STREAMBOARD_STREAMS/,
  );
  assert.throws(() => STREAMS.check(loadConfig({ STREAMBOARD_USRES_LATENESS_MS: "10" })), {
    name: "SettingError",
    message:
      "STREAMBOARD_USRES_LATENESS_MS names no stream; the streams are users, sales, clicks, views, ratings, products, sessions",
  });
});

Deno.test("the configuration selects streams in page order, every one when unset", () => {
  assert.deepEqual(STREAMS.selected(DEFAULTS).map((m) => m.name), STREAMS.names);
  const config = loadConfig({ STREAMBOARD_STREAMS: "products, sales" });
  assert.deepEqual(STREAMS.selected(config).map((m) => m.name), ["sales", "products"]);
});

Deno.test("every stream has its input, dead-letter and live topics; products one partition; live topics keep an hour", () => {
  const specs = STREAMS.topicSpecs(withConfig(DEFAULTS, { broker: { partitions: 3 } }));
  assert.equal(specs.length, 3 * STREAMS.names.length);
  assert.deepEqual(specs.slice(0, 3), [
    { name: "users", partitions: 3 },
    { name: "users.dlq", partitions: 1 },
    { name: "users.live", partitions: 1, retentionMs: 3_600_000 },
  ]);
  for (const spec of specs) {
    assert.equal(spec.retentionMs, spec.name.endsWith(".live") ? 3_600_000 : undefined, spec.name);
  }
  assert.deepEqual(specs.find((s) => s.name === "products"), { name: "products", partitions: 1 });
});

Deno.test("a stream's settings come from the configuration, else from its module", () => {
  const config = loadConfig({
    STREAMBOARD_PRODUCTS_LATENESS_MS: "1000",
    STREAMBOARD_TEMPERATURES_OUT_OF_ORDER_MS: "0",
  });
  assert.deepEqual(streamSettings(STREAMS.get("products"), config), {
    outOfOrdernessMs: 5000,
    allowedLatenessMs: 1000,
    maxFutureMs: 300_000,
  });
  assert.deepEqual(streamSettings(temperaturesModule, config), {
    outOfOrdernessMs: 0,
    allowedLatenessMs: 30_000,
    maxFutureMs: 60_000,
  });
  const extra = STREAMS.with([temperaturesModule], { url: import.meta.url, name: "unused" });
  assert.doesNotThrow(() => extra.check(config), "known to a registry that holds it");
  assert.throws(
    () => STREAMS.check(config),
    /STREAMBOARD_TEMPERATURES_OUT_OF_ORDER_MS names no stream/,
  );
});

Deno.test("a stream name must be usable in variable and topic names, and unique", () => {
  const named = (name: string) => ({ ...temperaturesModule, name });
  const ref = { url: import.meta.url, name: "unused" };
  assert.throws(
    () => new StreamRegistry([named("Temps")], ref),
    /lower-case letters, digits and _/,
  );
  assert.throws(() => new StreamRegistry([named("a.b")], ref), /got "a.b"/);
  assert.throws(() => STREAMS.with([named("users")], ref), /two streams are named "users"/);
});

Deno.test("a registry is loaded by reference from the module that exports it", async () => {
  assert.equal(await loadRegistry(STREAMS.ref), STREAMS);
  await assert.rejects(
    loadRegistry({ url: STREAMS.ref.url, name: "STREAM_MODULES" }),
    /exports no stream registry named "STREAM_MODULES"/,
  );
});
