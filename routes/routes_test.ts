import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { startFixture } from "../testing/app_fixture.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import type { RandomUserRecord } from "../pipeline/users/randomuser.ts";
import { CSV_COLUMNS } from "../pipeline/users/users_csv.ts";
import { withoutLoginSecrets } from "../pipeline/users/login_secrets.ts";

const NOW = Date.now();

function users(count: number, seed = 1): RandomUserRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => generateUser(random, NOW));
}

const post = (body: string, headers: Record<string, string> = {}) => ({
  method: "POST",
  body,
  headers: { "content-type": "application/json", ...headers },
});

Deno.test("GET /stats, /last_user and /users answer on an empty store", async () => {
  const f = await startFixture();
  try {
    const stats = await f.app.request("/stats");
    assert.equal(stats.status, 200);
    assert.deepEqual(await stats.json(), { total: 0, male: 0, female: 0, other: 0, rejected: 0 });
    const last = await f.app.request("/last_user");
    assert.equal(last.status, 404);
    assert.deepEqual(await last.json(), { error: "no users yet" });
    assert.deepEqual(await (await f.app.request("/users")).json(), { users: [], next: null });
  } finally {
    await f.close();
  }
});

Deno.test("GET /stats counts by gender; /last_user is the newest; /users pages newest first", async () => {
  const f = await startFixture();
  try {
    const list = users(30);
    for (let i = 0; i < list.length; i++) await f.produce([list[i]], NOW + i);
    await f.waitForUsers(30);
    const male = list.filter((u) => u.gender === "male").length;
    const deadline = Date.now() + 5000;
    let stats;
    do stats = await (await f.app.request("/stats")).json(); while (
      stats.total < 30 && Date.now() < deadline
    );
    assert.deepEqual(stats, { total: 30, male, female: 30 - male, other: 0, rejected: 0 });

    const last = await (await f.app.request("/last_user")).json();
    assert.equal(last.uuid, list[29].login.uuid);
    assert.equal(last.fullName, `${list[29].name.first} ${list[29].name.last}`);
    assert.deepEqual(
      last.record,
      withoutLoginSecrets(list[29]),
      "the record comes back as it was sent, without its login secrets",
    );

    const seen: string[] = [];
    let url = "/users?limit=7";
    for (;;) {
      const page = await (await f.app.request(url)).json();
      assert.ok(page.users.length <= 7);
      seen.push(...page.users.map((u: { uuid: string }) => u.uuid));
      if (!page.next) break;
      url = `/users?limit=7&cursor=${encodeURIComponent(page.next)}`;
    }
    assert.deepEqual(seen, list.map((u) => u.login.uuid).reverse());
  } finally {
    await f.close();
  }
});

Deno.test("GET /users refuses a bad limit or cursor with 400 and a message", async () => {
  const f = await startFixture();
  try {
    for (
      const query of [
        "limit=0",
        "limit=501",
        "limit=abc",
        "limit=2.5",
        "limit=0x10",
        "limit=1e2",
        "limit=%2B5",
        "limit=%205",
        "limit=5.0",
        "limit=",
      ]
    ) {
      const res = await f.app.request(`/users?${query}`);
      assert.equal(res.status, 400, query);
      assert.match((await res.json()).error, /limit must be a whole number from 1 to 500/);
    }
    const res = await f.app.request("/users?cursor=garbage");
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /cursor "garbage" is not one this server gave out/);
  } finally {
    await f.close();
  }
});

Deno.test("POST /add_user validates, produces and the user reaches the store", async () => {
  const f = await startFixture();
  try {
    const [user] = users(1, 5);
    const res = await f.app.request("/add_user", post(JSON.stringify(user)));
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 1, uuids: [user.login.uuid] });
    await f.waitForUsers(1);
    const last = await (await f.app.request("/last_user")).json();
    assert.equal(last.uuid, user.login.uuid);

    const batch = users(3, 6);
    const many = await f.app.request(
      "/add_user",
      post(JSON.stringify({ results: batch, info: {} })),
    );
    assert.equal(many.status, 202);
    assert.equal((await many.json()).accepted, 3);
    await f.waitForUsers(4);
  } finally {
    await f.close();
  }
});

Deno.test("POST /add_user answers bad input with 400/413/415 and a message, producing nothing", async () => {
  const f = await startFixture();
  try {
    const [user] = users(1, 7);
    const cases: Array<[RequestInit, number, RegExp]> = [
      [post("{not json"), 400, /the body is not JSON/],
      [post(""), 400, /the body is empty/],
      [
        post(JSON.stringify({ ...user, dob: { date: 42, age: 3 } })),
        400,
        /^`dob\.date` must be an ISO date, got 42$/,
      ],
      [
        post(JSON.stringify({ results: [user, { ...user, login: {} }] })),
        400,
        /^results\[1\]: `login\.uuid` must be a non-empty string, got nothing$/,
      ],
      [post(JSON.stringify({ results: [] })), 400, /`results` is empty/],
      [post(JSON.stringify({ ...user, pad: "x".repeat(64 * 1024) })), 413, /larger than 64 KiB/],
      [post("{}", { "content-type": "text/plain" }), 415, /application\/json/],
      [{ method: "POST", body: new Blob(["{}"]) }, 415, /the request had no Content-Type/],
    ];
    for (const [init, status, message] of cases) {
      const res = await f.app.request("/add_user", init);
      assert.equal(res.status, status, String(message));
      assert.match((await res.json()).error, message);
    }
    const wrongMethod = await f.app.request("/add_user");
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
    assert.equal(await f.pipeline.broker.partitions("users"), 4);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await f.pipeline.raw.count("users"), 0, "nothing was produced");
  } finally {
    await f.close();
  }
});

Deno.test("POST /add_user requires the bearer token when one is configured", async () => {
  const f = await startFixture({ web: { writeToken: "s3cret" } });
  try {
    const body = JSON.stringify(users(1, 8)[0]);
    const none = await f.app.request("/add_user", post(body));
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /Bearer/);
    const wrong = await f.app.request("/add_user", post(body, { authorization: "Bearer nope" }));
    assert.equal(wrong.status, 401);
    const right = await f.app.request("/add_user", post(body, { authorization: "Bearer s3cret" }));
    assert.equal(right.status, 202);
  } finally {
    await f.close();
  }
});

Deno.test("GET /export/csv streams every user as RFC 4180 UTF-8 with formulas neutralised", async () => {
  const f = await startFixture();
  try {
    const list = users(1203, 9);
    list[0].name.first = '=HYPERLINK("http://x")';
    list[1].name.last = 'Ярослава, "Квітка" Нова';
    await f.produce(list);
    await f.waitForUsers(1203);
    const res = await f.app.request("/export/csv");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8/);
    assert.match(
      res.headers.get("content-disposition") ?? "",
      /attachment; filename="streamboard-users-/,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 byte-order mark");
    const text = new TextDecoder().decode(bytes);
    assert.ok(text.includes("\r\n"), "CRLF record delimiters");
    const rows: Record<string, string>[] = parse(text, { bom: true, columns: true });
    assert.equal(rows.length, 1203);
    assert.deepEqual(Object.keys(rows[0]), [...CSV_COLUMNS]);
    const byId = new Map(rows.map((r) => [r.uuid, r]));
    assert.equal(byId.get(list[0].login.uuid)?.first_name, '\'=HYPERLINK("http://x")');
    assert.equal(byId.get(list[1].login.uuid)?.last_name, 'Ярослава, "Квітка" Нова');
    assert.equal(byId.get(list[2].login.uuid)?.email, list[2].email);
  } finally {
    await f.close();
  }
});

Deno.test("GET / renders the dashboard with data before any script, names as text", async () => {
  const f = await startFixture();
  try {
    const [user] = users(1, 10);
    user.name.first = "<img src=x onerror=alert(1)>";
    await f.produce([user]);
    await f.waitForUsers(1);
    const res = await f.app.request("/");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.ok(!html.includes("<img src=x"), "the name is never HTML");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)"), "the name shows as text");
    assert.match(html, /data-testid="count-total"[^>]*>1</);
    for (const island of ["UserCounters", "GenderPie", "LastUser", "UserFeed", "LiveStatus"]) {
      assert.ok(html.includes(`data-island="${island}"`), island);
    }
    assert.ok(html.includes('<script type="module" src="/_app/client.js"'));
    const props = html.match(/data-island-props="UserFeed">(.*?)<\/script>/)?.[1] ?? "";
    assert.ok(!props.includes("<"), "island props cannot close their script tag");
    assert.equal(JSON.parse(props).initial[0].fullName, `${user.name.first} ${user.name.last}`);
  } finally {
    await f.close();
  }
});

Deno.test("static files are served, unknown paths and hidden files get a JSON 404", async () => {
  const f = await startFixture();
  try {
    const css = await f.app.request("/styles.css");
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type") ?? "", /text\/css/);
    await css.body?.cancel();
    const again = await f.app.request("/styles.css", {
      headers: { "if-none-match": css.headers.get("etag")! },
    });
    assert.equal(again.status, 304);
    for (const path of ["/nope", "/.gitignore", "/geo/.hidden"]) {
      const res = await f.app.request(path);
      assert.equal(res.status, 404, path);
      assert.match((await res.json()).error, /no route/);
    }
  } finally {
    await f.close();
  }
});

Deno.test("GET /export/products/<file> serves window files only: every traversal gets 400 or 404", async () => {
  const f = await startFixture();
  try {
    for (
      const name of [
        "..%2F..%2Fdeno.json",
        "%2e%2e%2fdeno.json",
        "..%5cdeno.json",
        "%252e%252e%252fdeno.json",
        "products_2025-01-01T00-00-00_2025-01-01T00-02-00.csv%00.txt",
        "..%2Fproducts_2025-01-01T00-00-00_2025-01-01T00-02-00.csv",
        "%2Fetc%2Fpasswd",
      ]
    ) {
      const res = await f.app.request(`/export/products/${name}`);
      const body = await res.text();
      assert.ok([400, 404].includes(res.status), `${name}: ${res.status}`);
      assert.ok(!body.includes("compilerOptions") && !body.includes("root:x"), name);
    }
  } finally {
    await f.close();
  }
});
