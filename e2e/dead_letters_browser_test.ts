/**
 * The dead letters console page in a real browser (headless Chromium through
 * playwright-core) against a real StreamBoard process: bad users produced
 * into its log show with their reason, code and bytes; replaying a selection
 * shows each one dead-lettered again with the same reason, without a reload.
 */

import assert from "node:assert/strict";
import { startApp } from "./app_process.ts";
import { blockOtherHosts, collectErrors, launchChromium, saveScreenshot } from "./browser.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const BAD_USERS = ["this line is not JSON", JSON.stringify({ gender: "female" })];

Deno.test("the dead letters page lists bad users and replays a selection, showing the outcome", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-dlq-e2e-" });
  const app = await startApp({ STREAMBOARD_PRODUCE: "0", STREAMBOARD_STREAMS: "users" }, dataDir);
  try {
    const file = `${dataDir}/bad.ndjson`;
    await Deno.writeTextFile(file, BAD_USERS.join("\n") + "\n");
    const produced = await new Deno.Command(Deno.execPath(), {
      args: ["task", "produce", "--stream", "users", "--file", file],
      cwd: ROOT,
      env: { STREAMBOARD_DATA_DIR: dataDir, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(produced.code, 0, new TextDecoder().decode(produced.stderr));

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const blocked = await blockOtherHosts(context, app.url);
      const page = await context.newPage();
      const errors = collectErrors(page);
      const rows = page.getByTestId("dead-letter");
      for (let i = 0; i < 100; i++) {
        await page.goto(new URL("/console/dead-letters?stream=users", app.url).href);
        if (await rows.count() >= 2) break;
        await page.waitForTimeout(200);
      }
      assert.equal(await rows.count(), 2);
      assert.match(await rows.nth(1).innerText(), /this line is not JSON/);
      assert.match(await rows.nth(0).innerText(), /invalid/);

      await page.getByLabel("select offset 0").check();
      await page.getByLabel("select offset 1").check();
      await page.getByTestId("replay-selected").click();
      await page.getByTestId("replay-message").filter({ hasText: "Replayed 2" }).waitFor();
      const outcomes = page.getByTestId("replay-outcome").filter({
        hasText: "dead-lettered again: invalid",
      });
      await outcomes.nth(3).waitFor({ timeout: 20_000 });
      assert.equal(await rows.count(), 4, "the refused replays are dead letters again");
      await saveScreenshot(page, "console-dead-letters");
      assert.deepEqual(errors, []);
      assert.deepEqual(blocked, []);
    } finally {
      await browser.close();
    }
  } finally {
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
