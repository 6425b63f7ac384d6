import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/dsl/index.js";

const kinds = (source: string): string[] =>
  tokenize(source).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

describe("tokenize", () => {
  it("splits the one-line simplex program into tokens", () => {
    expect(kinds("minimize ||z-x||^2 s.t. z>=0, 1'z=1")).toEqual([
      "Minimize:minimize",
      "NormBar:||",
      "Identifier:z",
      "Minus:-",
      "Identifier:x",
      "NormBar:||",
      "Caret:^",
      "NumberLiteral:2",
      "SubjectTo:s.t.",
      "Identifier:z",
      "GreaterEqual:>=",
      "NumberLiteral:0",
      "Comma:,",
      "NumberLiteral:1",
      "Transpose:'",
      "Identifier:z",
      "Equal:=",
      "NumberLiteral:1",
    ]);
  });

  it("reads keywords only as whole words", () => {
    expect(kinds("dim dimension minimizer output_z subject to subjects")).toEqual([
      "Dim:dim",
      "Identifier:dimension",
      "Identifier:minimizer",
      "Identifier:output_z",
      "SubjectTo:subject to",
      "Identifier:subjects",
    ]);
  });

  it.each([
    ["12", ["NumberLiteral:12"]],
    ["0.05", ["NumberLiteral:0.05"]],
    ["1e-3", ["NumberLiteral:1e-3"]],
    ["2.5E+10", ["NumberLiteral:2.5E+10"]],
    [".5", ["NumberLiteral:.5"]],
    ["2.*z", ["NumberLiteral:2", "DotStar:.*", "Identifier:z"]],
    ["2z", ["NumberLiteral:2", "Identifier:z"]],
  ])("reads %s as %j", (source, expected) => {
    expect(kinds(source)).toEqual(expected);
  });

  it("reads norm subscripts after `||` and keeps `||||` as two bars", () => {
    expect(kinds("||x||_inf ||||")).toEqual([
      "NormBar:||",
      "Identifier:x",
      "NormBar:||",
      "NormSubscript:_inf",
      "NormBar:||",
      "NormBar:||",
    ]);
  });

  it("keeps newlines (statement separators) and drops comments, spaces and tabs", () => {
    expect(kinds("dim n # size\r\n\tvariable z")).toEqual([
      "Dim:dim",
      "Identifier:n",
      "Newline:\r\n",
      "Variable:variable",
      "Identifier:z",
    ]);
  });

  it("reports characters that fit no token, with their position", () => {
    const { diagnostics } = tokenize("variable z\nminimize z $ 1");
    expect(diagnostics).toEqual([
      {
        message: "unexpected character `$`",
        span: { line: 2, column: 12, offset: 22, length: 1 },
      },
    ]);
  });
});
