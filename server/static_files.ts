/** Serves files under `static/` with content types, ETags and no way out of the folder. */

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  png: "image/png",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
};

/** Answers a GET for a file under `root`, or 404 as JSON. */
export async function serveStatic(req: Request, root: URL): Promise<Response> {
  const path = decodeURIComponent(new URL(req.url).pathname);
  if (path.split("/").some((part) => part === ".." || part.startsWith("."))) {
    return notFound(path);
  }
  const file = new URL(`.${path}`, root);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch {
    return notFound(path);
  }
  if (!info.isFile) return notFound(path);
  const etag = `"${info.size.toString(36)}-${(info.mtime?.getTime() ?? 0).toString(36)}"`;
  const headers = {
    "content-type": TYPES[path.split(".").pop() ?? ""] ?? "application/octet-stream",
    etag,
    "cache-control": "no-cache",
  };
  if (req.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  const body = req.method === "HEAD" ? null : (await Deno.open(file)).readable;
  return new Response(body, { headers: { ...headers, "content-length": String(info.size) } });
}

function notFound(path: string): Response {
  return new Response(JSON.stringify({ error: `no route or file for ${path}` }), {
    status: 404,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
