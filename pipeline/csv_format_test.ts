import assert from "node:assert/strict";
import { neutralizeCell } from "./csv_format.ts";

Deno.test("cells that a spreadsheet would run as a formula get a leading apostrophe", () => {
  assert.equal(neutralizeCell("=1+1"), "'=1+1");
  assert.equal(neutralizeCell("+49 30"), "'+49 30");
  assert.equal(neutralizeCell("-cmd"), "'-cmd");
  assert.equal(neutralizeCell("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(neutralizeCell("\tx"), "'\tx");
  assert.equal(neutralizeCell("\r=1"), "'\r=1");
  assert.equal(
    neutralizeCell(`=HYPERLINK("http://evil.example","x")`),
    `'=HYPERLINK("http://evil.example","x")`,
  );
  assert.equal(
    neutralizeCell("-1+1"),
    "'-1+1",
    "arithmetic is not a plain number",
  );
});

Deno.test("plain numbers, signed ones included, are left as they are", () => {
  assert.equal(neutralizeCell("-33.8688"), "-33.8688");
  assert.equal(neutralizeCell("+12"), "+12");
  assert.equal(neutralizeCell("63104"), "63104");
  assert.equal(neutralizeCell("0"), "0");
});

Deno.test("ordinary text is left untouched", () => {
  for (
    const text of [
      "Jennie Nichols",
      "",
      "(272) 790-0888",
      "a=b",
      "jennie@example.com",
      "Ярослав",
      "آرش رضایی",
    ]
  ) {
    assert.equal(neutralizeCell(text), text);
  }
});
