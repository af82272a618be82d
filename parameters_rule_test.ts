/**
 * The team rule "functions with more than three parameters take an options
 * object", checked on the syntax tree of every module in the repository:
 * declarations, methods, constructors, arrow functions, function expressions,
 * interface method signatures and function types alike, tests included.
 */

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import ts from "typescript";

const ROOT = dirname(new URL(import.meta.url).pathname);

/** Most parameters a function may take before it must take an options object instead. */
const MAX_PARAMETERS = 3;

/** Folders, from the root, that hold no code of ours: build output, the browser bundle, data. */
const SKIPPED_PATHS = new Set([".build", "static/_app", "data"]);

/** Folders, wherever they are, that hold no code of ours. */
const SKIPPED_NAMES = new Set(["node_modules", ".git"]);

/** Modules of ours: TypeScript, and the JavaScript some scripts are written in. */
const SOURCE = /\.(tsx?|m?js|jsx)$/;

/** Root-relative paths of every module under `path`, skipped folders left out. */
function sourceFiles(path = ""): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(join(ROOT, path))) {
    const child = path === "" ? entry.name : `${path}/${entry.name}`;
    if (entry.isDirectory && !SKIPPED_PATHS.has(child) && !SKIPPED_NAMES.has(entry.name)) {
      found.push(...sourceFiles(child));
    } else if (entry.isFile && SOURCE.test(entry.name)) {
      found.push(child);
    }
  }
  return found;
}

/** The name a reader looks for: `Class.method`, the variable an arrow is bound to, or `(anonymous)`. */
function describe(node: ts.SignatureDeclaration): string {
  const own = node.name && ts.isIdentifier(node.name)
    ? node.name.text
    : node.name && ts.isPrivateIdentifier(node.name)
    ? node.name.text
    : ts.isConstructorDeclaration(node) || ts.isConstructSignatureDeclaration(node)
    ? "constructor"
    : undefined;
  const parent = node.parent;
  if (own !== undefined) {
    const owner = ts.isClassLike(parent) || ts.isInterfaceDeclaration(parent)
      ? parent.name?.text
      : undefined;
    return owner ? `${owner}.${own}` : own;
  }
  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) ||
      ts.isTypeAliasDeclaration(parent)) &&
    ts.isIdentifier(parent.name)
  ) {
    return parent.name.text;
  }
  return "(anonymous)";
}

/**
 * Every function-like node in the module `text` at `path` with more than
 * `MAX_PARAMETERS` parameters, as `path:line name (n parameters)`.
 */
function violations(path: string, text: string): string[] {
  const source = ts.createSourceFile(
    path,
    text,
    ts.ScriptTarget.Latest,
    true,
    path.endsWith(".tsx")
      ? ts.ScriptKind.TSX
      : path.endsWith(".ts")
      ? ts.ScriptKind.TS
      : ts.ScriptKind.JSX,
  );
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node)) {
      // A `this` parameter only declares the receiver's type; callers never pass it.
      const count = node.parameters.filter((parameter) =>
        !(ts.isIdentifier(parameter.name) && parameter.name.text === "this")
      ).length;
      if (count > MAX_PARAMETERS) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        found.push(`${path}:${line} ${describe(node)} (${count} parameters)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

Deno.test("no function in the repository takes more than three parameters", () => {
  const files = sourceFiles();
  assert.ok(files.includes(relative(ROOT, new URL(import.meta.url).pathname)));
  const found = files.sort().flatMap((path) =>
    violations(path, Deno.readTextFileSync(join(ROOT, path)))
  );
  assert.deepEqual(
    found,
    [],
    `these take more than ${MAX_PARAMETERS} parameters; give them an options object:\n${
      found.join("\n")
    }`,
  );
});

Deno.test("the scan finds every kind of function with four parameters, and only those", () => {
  const sample = [
    "function declared(a: number, b: number, c: number, d: number) {}",
    "const arrow = (a: number, b: number, c: number, d: number) => a;",
    "class Store {",
    "  constructor(a: number, b: number, c: number, d: number) {}",
    "  #hidden(a: number, b: number, c: number, d: number) {}",
    "  fine(this: Store, a: number, b: number, c: number) {}",
    "}",
    "interface Port { read(a: number, b: number, c: number, d: number): void }",
    "type Callback = (a: number, b: number, c: number, d: number) => void;",
    "const three = (a: number, b: number, ...rest: number[]) => rest;",
  ].join("\n");
  assert.deepEqual(violations("sample.ts", sample), [
    "sample.ts:1 declared (4 parameters)",
    "sample.ts:2 arrow (4 parameters)",
    "sample.ts:4 Store.constructor (4 parameters)",
    "sample.ts:5 Store.#hidden (4 parameters)",
    "sample.ts:8 Port.read (4 parameters)",
    "sample.ts:9 Callback (4 parameters)",
  ]);
});
