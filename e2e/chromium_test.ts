import assert from "node:assert/strict";
import { join } from "node:path";
import {
  chooseChromium,
  DEBIAN_CHROMIUM,
  ensureUnpacked,
  fontsConf,
  NPM_CHROMIUM_VERSION,
  npmChromiumDir,
} from "./chromium.ts";

const env = (vars: Record<string, string>) => new Map(Object.entries(vars));

Deno.test("chooseChromium: Debian's when present, npm's when absent, CHROMIUM_PATH always wins", () => {
  assert.deepEqual(chooseChromium(env({}), true), { kind: "path", path: DEBIAN_CHROMIUM });
  assert.deepEqual(chooseChromium(env({}), false), { kind: "npm" });
  assert.deepEqual(chooseChromium(env({ CHROMIUM_PATH: "/opt/c" }), false), {
    kind: "path",
    path: "/opt/c",
  });
  assert.deepEqual(
    chooseChromium(env({ CHROMIUM_PATH: "/opt/c", STREAMBOARD_TEST_CHROMIUM: "npm" }), true),
    { kind: "path", path: "/opt/c" },
  );
});

Deno.test("chooseChromium: STREAMBOARD_TEST_CHROMIUM forces npm or Debian and rejects a typo", () => {
  assert.deepEqual(chooseChromium(env({ STREAMBOARD_TEST_CHROMIUM: "npm" }), true), {
    kind: "npm",
  });
  assert.deepEqual(chooseChromium(env({ STREAMBOARD_TEST_CHROMIUM: "debian" }), false), {
    kind: "path",
    path: DEBIAN_CHROMIUM,
  });
  assert.deepEqual(chooseChromium(env({ STREAMBOARD_TEST_CHROMIUM: "auto" }), false), {
    kind: "npm",
  });
  assert.throws(
    () => chooseChromium(env({ STREAMBOARD_TEST_CHROMIUM: "nmp" }), true),
    /auto, npm or debian, not "nmp"/,
  );
});

Deno.test("npmChromiumDir: under XDG_CACHE_HOME, else ~/.cache, named for the pinned version", () => {
  const name = `chromium-${NPM_CHROMIUM_VERSION}`;
  assert.equal(
    npmChromiumDir(env({ XDG_CACHE_HOME: "/c", HOME: "/h" })),
    join("/c", "streamboard", name),
  );
  assert.equal(npmChromiumDir(env({ HOME: "/h" })), join("/h", ".cache", "streamboard", name));
  assert.throws(() => npmChromiumDir(env({})), /no cache folder/);
});

Deno.test("the pinned version in chromium.ts is the one deno.json imports", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  ) as { imports: Record<string, string> };
  assert.equal(
    config.imports["@sparticuz/chromium"],
    `npm:@sparticuz/chromium@${NPM_CHROMIUM_VERSION}`,
  );
});

Deno.test("ensureUnpacked: unpacks on the first call only", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "cache", "chromium");
    let unpacks = 0;
    const unpack = async (staging: string) => {
      unpacks++;
      await Deno.writeTextFile(join(staging, "chromium"), "binary");
    };
    assert.equal(await ensureUnpacked(dir, unpack), dir);
    assert.equal(await ensureUnpacked(dir, unpack), dir);
    assert.equal(unpacks, 1);
    assert.equal(await Deno.readTextFile(join(dir, "chromium")), "binary");
    assert.deepEqual([...Deno.readDirSync(join(root, "cache"))].map((e) => e.name), ["chromium"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("ensureUnpacked: a failed unpack leaves nothing behind and the next call retries", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "chromium");
    await assert.rejects(
      ensureUnpacked(dir, async (staging) => {
        await Deno.writeTextFile(join(staging, "chromium"), "half");
        throw new Error("download cut");
      }),
      /download cut/,
    );
    assert.deepEqual([...Deno.readDirSync(root)], []);
    await ensureUnpacked(dir, (staging) => Deno.writeTextFile(join(staging, "chromium"), "whole"));
    assert.equal(await Deno.readTextFile(join(dir, "chromium")), "whole");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("ensureUnpacked: when another run finished first, its copy is kept and ours removed", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "chromium");
    await ensureUnpacked(dir, async (staging) => {
      // The other run renames its whole copy into place while ours is still unpacking.
      await Deno.mkdir(dir);
      await Deno.writeTextFile(join(dir, "chromium"), "theirs");
      await Deno.writeTextFile(join(staging, "chromium"), "ours");
    });
    assert.equal(await Deno.readTextFile(join(dir, "chromium")), "theirs");
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["chromium"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fontsConf: the package's fonts and the system's, cache inside the folder, XML-escaped", () => {
  const conf = fontsConf("/c/a&b");
  assert.match(conf, /<dir>\/c\/a&amp;b\/fonts\/fonts<\/dir>/);
  assert.match(conf, /<dir>\/usr\/share\/fonts<\/dir>/);
  assert.match(conf, /<cachedir>\/c\/a&amp;b\/fonts-cache<\/cachedir>/);
});
