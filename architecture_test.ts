/**
 * The layering rules of the code base, checked on its import graph: the web
 * reads through ports, never the processor's internals or an adapter, and
 * no production module leans on a test helper.
 */

import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = dirname(new URL(import.meta.url).pathname);

/** Folders of the web layer. */
const WEB = ["server", "routes", "islands", "components", "client"];

/** Modules the web layer must not import: the processor, windowing internals and adapters. */
const WEB_FORBIDDEN = [
  "pipeline/processor.ts",
  "pipeline/windowing/",
  "pipeline/embedded/",
  "pipeline/kafka/",
  "pipeline/mongo/",
  "pipeline/cassandra/",
];

/** Production code: everything but tests, test helpers, end-to-end tests and the fuzzer. */
const PRODUCTION = ["main.ts", "config.ts", "fresh.gen.ts", "pipeline", "scripts", ...WEB];

/** Test helpers, which no production module imports. */
const TEST_ONLY = ["testing/", "pipeline/testing/"];

/**
 * Import specifiers of a module's source: static, type-only, side-effect and
 * dynamic imports and re-exports.
 */
function importSpecifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;
  return [...source.matchAll(pattern)].map((match) => match[1]);
}

/** A module: its path from the root and the root-relative paths of its local imports. */
interface Module {
  path: string;
  imports: string[];
}

/** The `.ts`/`.tsx` modules under `paths` (files or folders), tests left out. */
function modules(paths: readonly string[]): Module[] {
  const found: Module[] = [];
  const visit = (path: string) => {
    const full = join(ROOT, path);
    if (Deno.statSync(full).isDirectory) {
      for (const entry of Deno.readDirSync(full)) visit(join(path, entry.name));
      return;
    }
    if (!/\.tsx?$/.test(path) || /_test\.tsx?$/.test(path)) return;
    const imports = importSpecifiers(Deno.readTextFileSync(full))
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => relative(ROOT, normalize(join(dirname(full), specifier))));
    found.push({ path, imports });
  };
  for (const path of paths) visit(path);
  return found;
}

/** `module imports target` for each import of `mods` under one of `prefixes`. */
function importsOf(mods: readonly Module[], prefixes: readonly string[]): string[] {
  return mods.flatMap(({ path, imports }) =>
    imports
      .filter((target) => prefixes.some((prefix) => target.startsWith(prefix)))
      .map((target) => `${path} imports ${target}`)
  );
}

Deno.test("architecture: the import scan sees every kind of import", () => {
  const source = `
    import { a } from "./a.ts";
    import type { B } from "../b.ts";
    import {
      c,
      d,
    } from "./c.ts";
    import "./side_effect.ts";
    export { e } from "./e.ts";
    export * from "./f.ts";
    const g = await import("./g.ts");
  `;
  assert.deepEqual(importSpecifiers(source), [
    "./a.ts",
    "../b.ts",
    "./c.ts",
    "./side_effect.ts",
    "./e.ts",
    "./f.ts",
    "./g.ts",
  ]);
});

Deno.test("architecture: the web imports neither the processor, windowing nor an adapter", () => {
  const web = modules(WEB);
  assert.ok(web.some((m) => m.path === "server/app.ts"), "the scan finds the web's modules");
  assert.deepEqual(importsOf(web, WEB_FORBIDDEN), [], "forbidden imports");
});

Deno.test("architecture: no production module imports a test helper", () => {
  const production = modules(PRODUCTION).filter((m) =>
    !TEST_ONLY.some((prefix) => m.path.startsWith(prefix))
  );
  assert.ok(production.some((m) => m.path === "scripts/bench.ts"), "the scan finds scripts");
  assert.deepEqual(importsOf(production, TEST_ONLY), []);
});
