/**
 * The one executable: `deno task compile` builds `dist/streamboard` (reused
 * when newer than every source file), which, copied alone into an empty
 * folder and run with an environment that has no Deno (only HOME and
 * PATH=/usr/bin:/bin), serves every page, the pages' JSON, live SSE, static
 * files and the islands bundle, with its generators and processors running as
 * workers inside it, and renders in a browser.
 */

import assert from "node:assert/strict";
import { PAGES, startApp } from "./app_process.ts";
import { sseReader } from "../testing/sse_reader.ts";
import { launchChromium, LIVE_WAIT_MS, waitForLive } from "./browser.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const BINARY = `${ROOT}dist/streamboard`;
/** What goes into the executable: newer sources than it mean it must be built again. */
const SOURCES = ["main.ts", "config.ts", "fresh.gen.ts", "deno.json", "deno.lock"];
const SOURCE_DIRS = ["client", "components", "islands", "pipeline", "routes", "server", "static"];

/** The newest modification time of the files the executable is built from, ms. */
async function newestSource(): Promise<number> {
  let newest = 0;
  const visit = async (path: string) => {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      for await (const entry of Deno.readDir(path)) await visit(`${path}/${entry.name}`);
    } else {
      newest = Math.max(newest, info.mtime?.getTime() ?? 0);
    }
  };
  for (const name of [...SOURCES, ...SOURCE_DIRS]) await visit(`${ROOT}${name}`);
  return newest;
}

/** Builds `dist/streamboard` unless it is newer than every source; how long the build took, ms. */
async function compiled(): Promise<number | null> {
  const built = await Deno.stat(BINARY).then((info) => info.mtime?.getTime() ?? 0, () => 0);
  if (built > await newestSource()) return null;
  const started = performance.now();
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "compile"],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(stderr);
  // `deno compile` starts from `denort`, which it downloads from Deno's own release host, not a
  // package registry: say so rather than leave a DNS error to decode.
  const runtime = /Setting up base binary/.test(output)
    ? "deno compile could not get its base runtime (denort): it downloads it from Deno's release " +
      "host, or takes the file DENORT_BIN names (a denort of the same Deno version).\n"
    : "";
  assert.equal(code, 0, `${runtime}${output}`);
  return performance.now() - started;
}

/**
 * Why `deno compile` cannot get its base runtime here, or null when it can: it needs `denort` of
 * this Deno version, from DENORT_BIN, from Deno's cache, or downloaded from dl.deno.land (not a
 * package registry, so unreachable on machines that reach only registries).
 */
async function runtimeMissing(): Promise<string | null> {
  if (Deno.env.get("DENORT_BIN")) return null;
  const cache = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  const zip = `denort-${Deno.build.target}.zip`;
  const cached = `${cache}/dl/release/v${Deno.version.deno}/${zip}`;
  if (await Deno.stat(cached).then(() => true, () => false)) return null;
  const url = `https://dl.deno.land/release/v${Deno.version.deno}/${zip}`;
  try {
    const response = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    return response.ok ? null : `${url} answered ${response.status}`;
  } catch (error) {
    return `${url} is unreachable (${
      (error as Error).message
    }) and neither DENORT_BIN nor ${cached} exists`;
  }
}

const MISSING_RUNTIME = await runtimeMissing();
if (MISSING_RUNTIME) {
  console.warn(`compile test ignored: deno compile has no base runtime: ${MISSING_RUNTIME}`);
}

/** The pages whose JSON the app serves. */
const LIVE_PAGES = ["users", "sales", "clicks", "products", "console", "console-groups"];

/** The body of `path`, asserting a 200 of `type`. */
async function get(base: string, path: string, type: RegExp): Promise<string> {
  const response = await fetch(new URL(path, base));
  const body = await response.text();
  assert.equal(response.status, 200, `${path}: ${body.slice(0, 200)}`);
  assert.match(response.headers.get("content-type") ?? "", type, path);
  return body;
}

Deno.test({
  ignore: MISSING_RUNTIME !== null,
  name:
    "compile: the executable, copied alone into an empty folder and run without Deno, serves every page live",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const buildMs = await compiled();
    const size = (await Deno.stat(BINARY)).size;
    console.log(
      `dist/streamboard: ${(size / 1024 / 1024).toFixed(1)} MiB, ${
        buildMs === null ? "reused (newer than every source)" : `built in ${Math.round(buildMs)} ms`
      }`,
    );
    const folder = await Deno.makeTempDir({ prefix: "streamboard-compiled-" });
    await Deno.copyFile(BINARY, `${folder}/streamboard`);
    const app = await startApp(
      { HOME: folder, PATH: "/usr/bin:/bin", STREAMBOARD_RATE: "20" },
      `${folder}/data`,
      { executable: `${folder}/streamboard`, cwd: folder, clearEnv: true },
    );
    try {
      assert.match(app.output(), /StreamBoard \(embedded\) on/);
      for (const path of PAGES) {
        assert.match(await get(app.url, path, /text\/html/), /<header class="top">/, path);
      }
      for (const page of LIVE_PAGES) {
        JSON.parse(await get(app.url, `/api/pages/${page}`, /application\/json/));
      }
      const stream = await fetch(new URL("/api/stream/users", app.url));
      assert.equal(stream.status, 200);
      const events = sseReader(stream);
      const snapshot = await events.until("snapshot", LIVE_WAIT_MS);
      await events.cancel();
      assert.ok(JSON.parse(snapshot.data ?? "").stats, "a users snapshot over SSE");
      assert.match(await get(app.url, "/styles.css", /text\/css/), /\.kpi-value/);
      assert.match(await get(app.url, "/_app/client.js", /javascript/), /hydrate|island/i);
      const world = JSON.parse(
        await get(app.url, "/geo/countries-110m.topojson", /json|octet-stream/),
      );
      assert.equal(world.type, "Topology", "the map data is inside");

      // The generators and processors run as workers inside the executable.
      const deadline = Date.now() + LIVE_WAIT_MS;
      let total = 0;
      while (total === 0 && Date.now() < deadline) {
        const users = JSON.parse(await get(app.url, "/api/pages/users", /json/));
        total = users.stats.total;
        if (total === 0) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.ok(total > 0, "users produced and processed inside the executable");
      assert.doesNotMatch(app.output(), /WAL checkpoints thread stopped/, "its thread runs inside");

      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(app.url, { timeout: LIVE_WAIT_MS });
        await waitForLive(page);
      } finally {
        await browser.close();
      }
    } catch (error) {
      console.error(`executable output:\n${app.output()}`);
      throw error;
    } finally {
      await app.stop("SIGKILL");
      await Deno.remove(folder, { recursive: true });
    }
  },
});
