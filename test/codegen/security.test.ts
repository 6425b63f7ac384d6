import { afterEach, describe as group, expect, it } from "vitest";
import type { CanonicalQP } from "../../src/canon/index.js";
import { canonToJsonText, describe, emitTypeScript } from "../../src/codegen/index.js";
import { simplexCanon } from "./handBuilt.js";
import { applyMap, importModule, type EmittedModule } from "./reference.js";

const SENTINEL = "__optnetPwned";
const sentinel = globalThis as { [SENTINEL]?: unknown };

/** Names and source text an attacker controls, each trying to break out of its comment or string. */
const HOSTILE_NAME = `"); globalThis.${SENTINEL} = "name"; ("\u2028\\`;
const HOSTILE_FILE = `evil.qp */ globalThis.${SENTINEL} = "file"; /*\nglobalThis.${SENTINEL} = "file2";`;
const HOSTILE_BLOCK_TEXT = `z >= 0 */ globalThis.${SENTINEL} = "block"; /*`;
const HOSTILE_NEWLINE_TEXT = `1'z = 1\nglobalThis.${SENTINEL} = "newline"; //`;
const HOSTILE_SEPARATOR_TEXT = `||z - x||^2\u2028globalThis.${SENTINEL} = "separator";\r\nprocess.exit(1)`;

function hostileCanon(): CanonicalQP {
  const canon = simplexCanon();
  const x = canon.parameters[0]!;
  return {
    ...canon,
    file: HOSTILE_FILE,
    parameters: [
      { ...x, name: "constructor" },
      { ...x, name: "__proto__", shape: [], size: 1, offset: 3 },
      { ...x, name: HOSTILE_NAME, shape: [], size: 1, offset: 4 },
    ],
    parameterSize: 5,
    variables: [{ ...canon.variables[0]!, name: "toString" }],
    inequalityRows: [{ ...canon.inequalityRows[0]!, text: HOSTILE_BLOCK_TEXT }],
    equalityRows: [
      { ...canon.equalityRows[0]!, origin: "atom", atom: "*/ x /*", text: HOSTILE_NEWLINE_TEXT },
    ],
    objective: { ...canon.objective, text: HOSTILE_SEPARATOR_TEXT },
  };
}

/** The program text with comments removed and every string literal emptied. */
function codeOutsideCommentsAndStrings(source: string): string {
  let code = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && !"\n\r\u2028\u2029".includes(source[i]!)) i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
      code += " ";
    } else if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === "\\" ? 2 : 1;
      i++;
      code += '""';
    } else {
      code += c;
      i++;
    }
  }
  return code;
}

group("emitted code is inert whatever the program's names and text", () => {
  afterEach(() => {
    delete sentinel[SENTINEL];
  });

  it("keeps hostile source text inside comments and hostile names inside string literals", async () => {
    const code = await emitTypeScript(hostileCanon());
    expect(code).toContain("*\\/ globalThis"); // the early `*/` was broken up
    expect(code).not.toMatch(/[\r\u2028\u2029]/);
    const code_ = codeOutsideCommentsAndStrings(code);
    expect(code_).not.toContain(SENTINEL);
    expect(code_).not.toContain("process");
    expect(code_).not.toContain("constructor");
  });

  it("runs without executing anything the program wrote, and reports the names verbatim", async () => {
    const canon = hostileCanon();
    const module = await importModule<EmittedModule>(await emitTypeScript(canon));
    expect(sentinel[SENTINEL]).toBeUndefined();
    expect(module.parameters.map((p) => p.name)).toEqual([
      "constructor",
      "__proto__",
      HOSTILE_NAME,
    ]);
    expect(module.variables.map((v) => v.name)).toEqual(["toString"]);
    const theta = Float64Array.from([0.5, -1, 2, 3, 4]);
    expect(module.buildQP(theta, 1).q).toEqual(applyMap(canon.q, theta));
    expect(sentinel[SENTINEL]).toBeUndefined();
  });

  it("the description prints hostile text on the line it belongs to", () => {
    const text = describe(hostileCanon());
    expect(text).not.toMatch(/[\r\u2028\u2029]/);
    for (const line of text.split("\n")) expect(line).not.toMatch(/^\s*(globalThis|process)/);
    expect(text.split("\n").filter((line) => line.includes(SENTINEL)).length).toBe(5);
  });

  it("the JSON keeps hostile text as data that reads back unchanged", () => {
    const parsed = JSON.parse(canonToJsonText(hostileCanon())) as {
      file: string;
      parameters: { name: string }[];
      objective: { text: string };
    };
    expect(parsed.file).toBe(HOSTILE_FILE);
    expect(parsed.parameters.map((p) => p.name)).toEqual([
      "constructor",
      "__proto__",
      HOSTILE_NAME,
    ]);
    expect(parsed.objective.text).toBe(HOSTILE_SEPARATOR_TEXT);
  });
});
