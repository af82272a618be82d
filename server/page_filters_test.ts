import assert from "node:assert/strict";
import { isNarrowed, parseView, viewBounds, viewSearch, WHOLE_VIEW } from "./page_filters.ts";
import { HttpError } from "./http_error.ts";

const parse = (page: string, query: string) => parseView(page, new URLSearchParams(query));
const refused = (page: string, query: string, message: RegExp) =>
  assert.throws(
    () => parse(page, query),
    (e: unknown) => e instanceof HttpError && e.status === 400 && message.test(e.message),
    `${page}?${query} is refused`,
  );

Deno.test("a page without parameters shows everything, unfiltered", () => {
  for (const page of ["users", "sales", "clicks", "products", "extra"]) {
    assert.deepEqual(parse(page, ""), WHOLE_VIEW);
  }
  assert.equal(isNarrowed(WHOLE_VIEW), false);
  assert.equal(viewSearch(WHOLE_VIEW), "");
});

Deno.test("each page reads its own filters; empty fields count as not given", () => {
  assert.deepEqual(parse("users", "gender=female&country=Norway&ageMin=20&ageMax=30&name=ana"), {
    range: "all",
    filters: { gender: "female", country: "Norway", ageMin: 20, ageMax: 30, name: "ana" },
  });
  assert.deepEqual(parse("users", "gender=&country=&name="), WHOLE_VIEW);
  assert.deepEqual(parse("sales", "product=Laptop&category=Electronics&city=Oslo").filters, {
    product: "Laptop",
    category: "Electronics",
    city: "Oslo",
  });
  assert.deepEqual(parse("clicks", "device=tablet&item=42").filters, {
    device: "tablet",
    item: 42,
  });
});

Deno.test("a preset range ends now; a custom one has the bounds given", () => {
  const now = 10_000_000;
  assert.deepEqual(viewBounds(parse("users", "range=5m"), now), { from: now - 300_000 });
  assert.deepEqual(viewBounds(parse("users", "range=1h"), now), { from: now - 3_600_000 });
  assert.deepEqual(viewBounds(parse("users", "range=1d"), now), { from: now - 86_400_000 });
  assert.deepEqual(viewBounds(parse("users", "range=all"), now), {});
  assert.deepEqual(viewBounds(parse("sales", "from=1000&to=2000"), now), { from: 1000, to: 2000 });
  assert.deepEqual(viewBounds(parse("sales", "range=custom&from=1000"), now), { from: 1000 });
  assert.ok(isNarrowed(parse("sales", "range=1h")));
  assert.ok(isNarrowed(parse("clicks", "item=3")));
});

Deno.test("the query string of a view reads back as the same view (a shared link shows the same page)", () => {
  for (
    const [page, query] of [
      ["users", "range=5m&gender=other&ageMax=40&name=J%C3%B8rgen+%26+co"],
      ["sales", "from=1700000000000&to=1700003600000&city=S%C3%A3o+Paulo"],
      ["clicks", "range=1d&device=mobile&item=500"],
      ["products", "from=5"],
    ]
  ) {
    const view = parse(page, query);
    assert.deepEqual(parse(page, viewSearch(view).slice(1)), view, `${page}?${query}`);
  }
});

Deno.test("bad values are refused with 400 naming the parameter", () => {
  refused("users", "gender=robot", /gender must be one of male, female, other/);
  refused("users", "ageMin=0x10", /ageMin must be a whole number from 0 to 150 in plain digits/);
  refused("users", "ageMin=1e2", /ageMin/);
  refused("users", "ageMax=151", /ageMax/);
  refused("users", "ageMin=-1", /ageMin/);
  refused("users", "ageMin=40&ageMax=30", /ageMin \(40\) must not exceed ageMax \(30\)/);
  refused("users", "name=" + "x".repeat(101), /name must be text of at most 100 characters/);
  refused("users", "country=a%00b", /country must be text .* without control characters/);
  refused("users", "gender=male&gender=female", /gender may be given once/);
  refused("clicks", "item=0", /item must be a whole number from 1 to 500/);
  refused("clicks", "item=5.0", /item/);
  refused("clicks", "device=phone", /device must be one of mobile, desktop, tablet/);
  refused("sales", "range=week", /range must be one of 5m, 1h, 1d, all, or custom/);
  refused("sales", "range=1h&from=5", /range=1h cannot be combined with from or to/);
  refused("sales", "from=2000&to=1000", /from \(2000\) must be before to \(1000\)/);
  refused("sales", "from=+5", /from must be a whole number/);
  refused("sales", "to=99999999999999999", /to must be a whole number/);
  refused(
    "sales",
    "gender=male",
    /unknown parameter "gender"; this page takes range, from, to, product/,
  );
  refused("products", "device=mobile", /unknown parameter "device"/);
});

Deno.test("a route may allow parameters of its own", () => {
  const view = parseView("users", new URLSearchParams("limit=5&gender=male"), { allow: ["limit"] });
  assert.deepEqual(view.filters, { gender: "male" });
});
