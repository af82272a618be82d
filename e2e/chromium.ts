/**
 * Which Chromium the browser tests drive: `CHROMIUM_PATH` when set, Debian's
 * `/usr/bin/chromium` when present (no unpacking, so faster), otherwise the
 * headless Chromium of the npm package `@sparticuz/chromium`, unpacked once
 * into a per-user cache so only the first run pays for it.
 */

import { join } from "node:path";

/**
 * The pinned `@sparticuz/chromium` (deno.json imports): Chromium 153, the newest
 * the package ships, driven by playwright-core 1.65 over the DevTools protocol.
 * It names the cache folder, so a new pin unpacks afresh.
 */
export const NPM_CHROMIUM_VERSION = "153.0.0";

/** Where Debian's package installs Chromium. */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** The Chromium to launch: a binary on disk, or the npm one still to be unpacked. */
export type ChromiumChoice = { kind: "path"; path: string } | { kind: "npm" };

/** Reads one environment variable (Deno.env, or a plain map in tests). */
export interface EnvReader {
  get(name: string): string | undefined;
}

/**
 * Picks the Chromium from the environment: `CHROMIUM_PATH` wins;
 * `STREAMBOARD_TEST_CHROMIUM` forces `npm` or `debian`; by default (`auto`)
 * Debian's when present, npm's otherwise. Any other value throws, so a typo
 * cannot silently test a different browser.
 */
export function chooseChromium(env: EnvReader, debianPresent: boolean): ChromiumChoice {
  const path = env.get("CHROMIUM_PATH");
  if (path) return { kind: "path", path };
  const wanted = env.get("STREAMBOARD_TEST_CHROMIUM") ?? "auto";
  if (wanted === "npm") return { kind: "npm" };
  if (wanted === "debian") return { kind: "path", path: DEBIAN_CHROMIUM };
  if (wanted === "auto") {
    return debianPresent ? { kind: "path", path: DEBIAN_CHROMIUM } : { kind: "npm" };
  }
  throw new Error(`STREAMBOARD_TEST_CHROMIUM must be auto, npm or debian, not "${wanted}"`);
}

/**
 * The cache folder of the unpacked npm Chromium:
 * `$XDG_CACHE_HOME/streamboard/chromium-<version>` (`~/.cache` by default).
 */
export function npmChromiumDir(env: EnvReader): string {
  const home = env.get("HOME");
  const cache = env.get("XDG_CACHE_HOME") || (home ? join(home, ".cache") : undefined);
  if (!cache) {
    throw new Error("neither XDG_CACHE_HOME nor HOME is set: no cache folder for Chromium");
  }
  return join(cache, "streamboard", `chromium-${NPM_CHROMIUM_VERSION}`);
}

/** Fills a fresh staging folder with everything the final folder must hold. */
export type Unpacker = (staging: string) => Promise<void>;

/**
 * Returns `dir`, unpacking into it first when it does not exist yet. The
 * unpacker works in a staging folder beside it that is renamed into place only
 * when complete, so an interrupted first run leaves nothing half-unpacked to
 * be trusted later, and two runs at once both end with one whole copy.
 */
export async function ensureUnpacked(dir: string, unpack: Unpacker): Promise<string> {
  if (await exists(dir)) return dir;
  const parent = join(dir, "..");
  await Deno.mkdir(parent, { recursive: true });
  const staging = await Deno.makeTempDir({ dir: parent, prefix: ".staging-" });
  try {
    await unpack(staging);
    await Deno.rename(staging, dir).catch(async (error) => {
      if (!(await exists(dir))) throw error;
      // Another run finished first: its copy is as good as ours.
    });
  } finally {
    await Deno.remove(staging, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  return dir;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * A fontconfig file for the npm Chromium: the package's fonts, then the
 * system's, with the font cache inside `dir`, since the package's own file
 * points at `/tmp/fonts`.
 */
export function fontsConf(dir: string): string {
  const xml = (text: string) =>
    text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>${xml(join(dir, "fonts", "fonts"))}</dir>
  <dir>/usr/share/fonts</dir>
  <cachedir>${xml(join(dir, "fonts-cache"))}</cachedir>
</fontconfig>
`;
}

/**
 * Runs `chromium_unpack.ts` in a child Deno with `TMPDIR` set to the staging
 * folder (the package unpacks into the temporary folder; the child keeps that
 * change away from this process), then writes the fontconfig file for `dir`.
 */
export function npmUnpacker(dir: string): Unpacker {
  return async (staging) => {
    console.error(
      `Unpacking Chromium from npm:@sparticuz/chromium@${NPM_CHROMIUM_VERSION} into ${dir} (first run only)`,
    );
    const started = performance.now();
    const script = new URL("./chromium_unpack.ts", import.meta.url).pathname;
    const config = new URL("../deno.json", import.meta.url).pathname;
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-read",
        `--allow-write=${staging}`,
        "--allow-env",
        "--allow-sys",
        `--config=${config}`,
        script,
      ],
      env: { TMPDIR: staging },
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(
        `unpacking Chromium from npm failed: ${new TextDecoder().decode(output.stderr)}`,
      );
    }
    await Deno.writeTextFile(join(staging, "fonts.conf"), fontsConf(dir));
    console.error(`Chromium ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
}

/** The binary and the environment it needs, for a Chromium launch. */
export interface ChromiumLaunch {
  executablePath: string;
  /** Variables to add to the browser's environment (none for a system Chromium). */
  env: Record<string, string>;
}

/**
 * Resolves the Chromium to launch, unpacking the npm one on first use. The npm
 * binary gets the package's own NSS and expat libraries (a machine with Deno
 * alone has none) and the fontconfig file beside it.
 */
export async function resolveChromium(env: EnvReader): Promise<ChromiumLaunch> {
  const choice = chooseChromium(env, await exists(DEBIAN_CHROMIUM));
  if (choice.kind === "path") return { executablePath: choice.path, env: {} };
  const cache = npmChromiumDir(env);
  const dir = await ensureUnpacked(cache, npmUnpacker(cache));
  const libraries = join(dir, "al2023", "lib");
  const inherited = env.get("LD_LIBRARY_PATH");
  return {
    executablePath: join(dir, "chromium"),
    env: {
      LD_LIBRARY_PATH: inherited ? `${libraries}:${inherited}` : libraries,
      FONTCONFIG_FILE: join(dir, "fonts.conf"),
    },
  };
}
