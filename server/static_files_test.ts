import assert from "node:assert/strict";
import { decodePath, StaticFiles, staticPath } from "./static_files.ts";
import { HttpError } from "./http_error.ts";
import { startFixture } from "../testing/app_fixture.ts";
import { serveFrontDoor } from "./front_door.ts";
import { silentLogger } from "../pipeline/logger.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Text that only files outside `static/` hold; none may ever be in a response. */
async function secrets(): Promise<string[]> {
  const git = await Deno.readTextFile(`${ROOT}.git`).catch(() =>
    Deno.readTextFile(`${ROOT}.git/HEAD`)
  );
  const markers = [
    ['"compilerOptions"', await Deno.readTextFile(`${ROOT}deno.json`)],
    [git.trim().slice(0, 30), git],
    ["root:x:0:0", await Deno.readTextFile("/etc/passwd")],
    ["The composition root", await Deno.readTextFile(`${ROOT}main.ts`)],
  ];
  for (const [marker, text] of markers) assert.ok(text.includes(marker), marker);
  return markers.map(([marker]) => marker);
}

/** Every encoding of a way out named in issue 10, and then some. */
const CORPUS = [
  "/../deno.json",
  "/..%2fdeno.json",
  "/..%2Fdeno.json",
  "/%2e%2e/deno.json",
  "/%2E%2E/deno.json",
  "/%2e%2E%2fdeno.json",
  "/.%2e/deno.json",
  "/%2e./deno.json",
  "/..%5cdeno.json",
  "/..%5Cdeno.json",
  "/%5c..%5cdeno.json",
  "/..%5c..%5c..%5c..%5cetc/passwd",
  "/%252e%252e/deno.json",
  "/%252e%252e%252fdeno.json",
  "/%252E%252E%255Cdeno.json",
  "/%25252e%25252e/deno.json",
  "/%25%32%65%25%32%65/deno.json",
  "/%c0%ae%c0%ae/deno.json",
  "/%c0%ae%c0%ae%c0%afdeno.json",
  "/..%c0%afdeno.json",
  "/..%c1%9cdeno.json",
  "/%e0%80%ae%e0%80%ae/deno.json",
  "/%f0%80%80%ae%f0%80%80%ae/deno.json",
  "/%ef%bc%8e%ef%bc%8e/deno.json",
  "/..%u2215deno.json",
  "/%uff0e%uff0e/deno.json",
  "/..%e2%88%95deno.json",
  "/deno.json%00",
  "/%00../deno.json",
  "/styles.css%00.png",
  "/..%00/deno.json",
  "/..;/deno.json",
  "/..;/..;/etc/passwd",
  "/;/../deno.json",
  "/etc/passwd",
  "//etc/passwd",
  "/%2fetc%2fpasswd",
  "/%2Fetc/passwd",
  "/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
  "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
  "/....//....//etc/passwd",
  "/...//deno.json",
  "/.git/HEAD",
  "/.git",
  "/%2egit/HEAD",
  "/geo/../../deno.json",
  "/geo/..%2f..%2fdeno.json",
  "/geo/%2e%2e/%2e%2e/deno.json",
  "/geo/..%5c..%5cdeno.json",
  "/file:///etc/passwd",
  "/C:%5cWindows%5cwin.ini",
  "/%5c%5cserver%5cshare",
  "/%",
  "/%ff",
  "/%zz",
  "/%e2%82",
  "/%0",
  "/%%32%65",
  "/%0d%0aSet-Cookie:x",
  "/main.ts",
  "/data/log.db",
  "/static/../deno.json",
];

/** Request targets sent verbatim over a socket, where no URL parser cleaned them first. */
const RAW_TARGETS = [
  "/../deno.json",
  "/../../../../etc/passwd",
  "/geo/../../deno.json",
  "/./../deno.json",
  "/..\\deno.json",
  "/..\\..\\..\\etc\\passwd",
  "//../deno.json",
  "/%2e%2e/deno.json",
  "/%252e%252e/deno.json",
  "/..%5cdeno.json",
  "/%c0%ae%c0%ae/deno.json",
  "/..;/deno.json",
  "/%00",
  "/%ff",
  "/%",
  "http://127.0.0.1/../deno.json",
  "http://127.0.0.1/..%2fdeno.json",
  "file:///etc/passwd",
  "/etc/passwd",
  "*",
];

Deno.test("static: no path of the traversal corpus reads a file outside static/; each gets 400 or 404", async () => {
  const markers = await secrets();
  const f = await startFixture();
  try {
    for (const path of CORPUS) {
      for (const method of ["GET", "HEAD"]) {
        const res = await f.app.request(path, { method });
        const body = await res.text();
        assert.ok([400, 404].includes(res.status), `${method} ${path}: ${res.status} ${body}`);
        for (const marker of markers) assert.ok(!body.includes(marker), `${path} leaked ${marker}`);
        if (method === "GET") assert.match(JSON.parse(body).error, /\w/, path);
      }
    }
  } finally {
    await f.close();
  }
});

Deno.test("static: raw request targets over a real socket never reach outside static/", async () => {
  const markers = await secrets();
  const f = await startFixture();
  const door = serveFrontDoor({
    hostname: "127.0.0.1",
    port: 0,
    headerTimeoutMs: 5000,
    keepAliveTimeoutMs: 5000,
    maxConnections: 100,
    log: silentLogger,
  }, (req, client) => f.app.fetch(req, client));
  try {
    for (const target of RAW_TARGETS) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: door.addr.port });
      await conn.write(
        new TextEncoder().encode(
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
        ),
      );
      const reply = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
      const status = Number(reply.slice(9, 12));
      assert.ok([400, 404].includes(status), `${target}: ${reply.slice(0, 200)}`);
      for (const marker of markers) {
        assert.ok(!reply.includes(marker), `${target} leaked ${marker}`);
      }
    }
    const ok = await fetch(new URL("/styles.css", `http://127.0.0.1:${door.addr.port}`));
    assert.equal(ok.status, 200, "a real file is still served");
    await ok.body?.cancel();
  } finally {
    await door.shutdown();
    await f.close();
  }
});

Deno.test("static: a symlink leading out of the folder is refused; one inside is served", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-static-" });
  try {
    await Deno.mkdir(`${dir}/static/sub`, { recursive: true });
    await Deno.writeTextFile(`${dir}/static/sub/page.txt`, "inside");
    await Deno.writeTextFile(`${dir}/secret.txt`, "TOP-SECRET-CONTENT");
    await Deno.symlink(`${dir}/secret.txt`, `${dir}/static/out.txt`);
    await Deno.symlink(`${dir}`, `${dir}/static/up`);
    await Deno.symlink("/etc/passwd", `${dir}/static/passwd.txt`);
    await Deno.symlink(`${dir}/static/sub/page.txt`, `${dir}/static/alias.txt`);
    const files = new StaticFiles(new URL(`file://${dir}/static/`));
    const get = async (path: string) => {
      try {
        const res = await files.serve(new Request(`http://127.0.0.1${path}`));
        return { status: res.status, text: await res.text() };
      } catch (error) {
        assert.ok(error instanceof HttpError, `${path}: ${error}`);
        return { status: error.status, text: error.message };
      }
    };
    assert.deepEqual(await get("/sub/page.txt"), { status: 200, text: "inside" });
    assert.deepEqual(await get("/alias.txt"), { status: 200, text: "inside" });
    for (const path of ["/out.txt", "/up/secret.txt", "/passwd.txt"]) {
      const { status, text } = await get(path);
      assert.equal(status, 404, path);
      assert.ok(!text.includes("TOP-SECRET") && !text.includes("root:x"), path);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("static: a path is decoded exactly once, as UTF-8, malformed escapes refused", () => {
  assert.equal(decodePath("/caf%C3%A9.css"), "/café.css");
  assert.equal(decodePath("/a%20b"), "/a b");
  assert.equal(staticPath("/geo/countries-110m.topojson"), "geo/countries-110m.topojson");
  const refused: Array<[string, number, RegExp]> = [
    ["/%", 400, /malformed escape/],
    ["/%zz", 400, /malformed escape/],
    ["/%ff", 400, /UTF-8/],
    ["/%c0%ae", 400, /UTF-8/],
    ["/%252e", 400, /encoded separator, NUL or percent/],
    ["/a%2fb", 400, /encoded separator/],
    ["/a%5cb", 400, /encoded separator/],
    ["/a%00", 400, /encoded separator, NUL/],
    ["/%2e%2e/x", 400, /`\.` or `\.\.` segments/],
    ["/a%0ab", 400, /control character/],
    ["/a\\b", 400, /backslash/],
    ["/.env", 404, /no route or file/],
    ["/", 404, /no route or file/],
  ];
  for (const [path, status, message] of refused) {
    assert.throws(() => staticPath(path), (error: unknown) => {
      assert.ok(error instanceof HttpError, path);
      assert.equal(error.status, status, path);
      assert.match(error.message, message, path);
      return true;
    }, path);
  }
});
