import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, printProgram } from "../../src/dsl/index.js";
import { statementKinds, withoutSpans } from "./helpers.js";

const examplesDir = fileURLToPath(new URL("../../examples/", import.meta.url));
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".qp"));
const read = (file: string): string => readFileSync(examplesDir + file, "utf8");

describe("examples/*.qp", () => {
  it("has the example programs the project relies on", () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        "simplex.qp",
        "simplex-oneline.qp",
        "relu.qp",
        "box-projection.qp",
        "tv-denoise.qp",
        "sudoku.qp",
        "box-least-squares.qp",
        "portfolio.qp",
        "lasso.qp",
        "huber.qp",
        "norm-inf.qp",
        "control.qp",
        "qp-dense.qp",
      ]),
    );
  });

  it.each(examples)(
    "%s parses, has one objective, and reads back from its printed form",
    (file) => {
      const program = parse(read(file), file);
      expect(statementKinds(program).filter((k) => k === "objective")).toHaveLength(1);
      expect(withoutSpans(parse(printProgram(program)))).toEqual(withoutSpans(program));
    },
  );

  it.each(examples)("%s starts with a comment saying what it is", (file) => {
    expect(read(file).startsWith("# ")).toBe(true);
  });

  it("simplex-oneline.qp and simplex.qp are the same program", () => {
    const oneLine = parse(read("simplex-oneline.qp"));
    expect(withoutSpans(oneLine)).toEqual(withoutSpans(parse(read("simplex.qp"))));
  });
});
