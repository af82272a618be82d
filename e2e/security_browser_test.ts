/**
 * The HTTP edge in a real browser (headless Chromium through playwright-core)
 * against a real StreamBoard process: every page renders and goes live under
 * the Content-Security-Policy without a single violation, and a page served
 * from another origin cannot add a user by any request a browser lets it
 * send without asking (a `no-cors` fetch without Content-Type or as
 * `text/plain`, a form POST), nor by one that needs a CORS preflight.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startApp } from "./app_process.ts";
import { blockOtherHosts, launchChromium, stepsWithAppLog, waitForLive } from "./browser.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";

/** Records CSP violations and script errors of a page, from its first script on. */
async function watchPolicy(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.exposeFunction("__reportViolation", (text: string) => problems.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (globalThis as unknown as { __reportViolation(t: string): void }).__reportViolation(
        `CSP violation: ${e.violatedDirective} blocked ${
          e.blockedURI || "inline"
        } (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  return problems;
}

/** An attacker's page: three writes a browser sends without a preflight, and one that needs one. */
function attackerPage(target: string, user: string): string {
  const body = JSON.stringify(user);
  // A text/plain form whose one field name is the JSON record up to a final quote.
  const formName = user.slice(0, -1) + ',"pad":"';
  return `<!DOCTYPE html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="${target}" enctype="text/plain" target="sink">
  <input type="hidden" name='${formName.replaceAll("'", "&#39;")}' value='"}'>
</form>
<script>
const target = ${JSON.stringify(target)};
const user = ${body};
window.attack = async () => {
  const outcome = {};
  outcome.blob = await fetch(target, { method: "POST", mode: "no-cors", body: new Blob([user]) })
    .then((r) => r.type, (e) => "failed: " + e);
  outcome.text = await fetch(target, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: user })
    .then((r) => r.type, (e) => "failed: " + e);
  outcome.json = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: user })
    .then((r) => "status " + r.status, (e) => "failed: " + e);
  document.getElementById("f").submit();
  return outcome;
};
</script></body></html>`;
}

Deno.test({
  name: "browser: pages live under the CSP; a page on another origin cannot add a user",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const app = await startApp({ STREAMBOARD_RATE: "20", STREAMBOARD_SEED: "5" });
    const browser = await launchChromium().catch(async (error) => {
      await app.stop("SIGKILL");
      throw error;
    });
    const own = new URL(app.url).origin;
    const random = seededRandom(77);
    const forged = generateUser(random, Date.now());
    const control = generateUser(random, Date.now());
    const attackerServer = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () =>
        new Response(
          attackerPage(`${own}/add_user`, JSON.stringify(forged)),
          { headers: { "content-type": "text/html; charset=utf-8" } },
        ),
    );
    // localhost and 127.0.0.1 are different sites to the browser, as any other domain would be.
    const attacker = `http://localhost:${attackerServer.addr.port}/`;
    try {
      const step = stepsWithAppLog(t, app);
      await step("every page renders and goes live with no CSP violation", async () => {
        const context = await browser.newContext();
        await blockOtherHosts(context, own);
        for (
          const [path, stream] of [
            ["/", "users"],
            ["/sales", "sales"],
            ["/clicks", "clicks"],
            ["/products", "products"],
          ]
        ) {
          const page = await context.newPage();
          const problems = await watchPolicy(page);
          const res = await page.goto(new URL(path, app.url).href);
          assert.equal(res?.status(), 200, path);
          assert.match(res?.headers()["content-security-policy"] ?? "", /script-src 'self'/);
          const badge = page.getByTestId("live-status");
          assert.equal(await badge.getAttribute("data-stream"), stream);
          await waitForLive(page);
          await page.waitForTimeout(1500); // live updates re-render the islands meanwhile
          assert.deepEqual(problems, [], `no violation on ${path}`);
          await page.close();
        }
        await context.close();
      });

      await step("a page on another origin cannot write, by any means", async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const answers: string[] = [];
        page.on("response", (res) => {
          if (res.url().startsWith(`${own}/add_user`)) {
            answers.push(`${res.request().method()} ${res.status()}`);
          }
        });
        const failed: string[] = [];
        page.on("requestfailed", (req) => {
          if (req.url().startsWith(`${own}/add_user`)) failed.push(req.failure()?.errorText ?? "");
        });
        await page.goto(attacker);
        const outcome = await page.evaluate(() =>
          (globalThis as unknown as { attack(): Promise<Record<string, string>> }).attack()
        );
        // The server's Cross-Origin-Resource-Policy keeps even an opaque answer from the page.
        assert.match(outcome.blob, /^failed/);
        assert.match(outcome.text, /^failed/);
        assert.match(
          outcome.json,
          /^failed/,
          "a JSON write needs CORS, which the server never grants",
        );
        await page.waitForTimeout(1000);
        assert.equal(
          failed.filter((f) => f.startsWith("net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin")).length,
          2,
          `both no-cors writes were sent and answered: ${failed.join(", ")}`,
        );
        await context.close();

        // The same record from the app's own page gets in, so the forged one was a valid user.
        const ownContext = await browser.newContext();
        const ownPage = await ownContext.newPage();
        await ownPage.goto(new URL("/stats", app.url).href);
        const status = await ownPage.evaluate(
          (user) =>
            fetch("/add_user", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(user),
            }).then((r) => r.status),
          control,
        );
        assert.equal(status, 202, "a write from the own page is accepted");
        await ownContext.close();

        const uuids = async () => {
          const res = await fetch(new URL("/users?limit=500", app.url));
          const { users } = await res.json() as { users: Array<{ uuid: string }> };
          return new Set(users.map((u) => u.uuid));
        };
        const deadline = Date.now() + 15_000;
        while (!(await uuids()).has(control.login.uuid)) {
          assert.ok(Date.now() < deadline, "the own page's user is stored");
          await new Promise((r) => setTimeout(r, 200));
        }
        await new Promise((r) => setTimeout(r, 500));
        assert.ok(!(await uuids()).has(forged.login.uuid), "the forged user was never stored");
        assert.deepEqual(answers, ["POST 403"], "the form's write was refused");
        const stats = await (await fetch(new URL("/stats", app.url))).json();
        assert.ok(stats.total > 0, "GET /stats still answers");
      });

      const status = await app.stop("SIGTERM");
      assert.equal(status.code, 0, app.output());
    } catch (error) {
      // What the app logged is the first thing to read when a browser test fails in CI.
      console.error(`app output:\n${app.output()}`);
      throw error;
    } finally {
      await browser.close();
      await attackerServer.shutdown();
      await app.stop("SIGKILL");
    }
  },
});
