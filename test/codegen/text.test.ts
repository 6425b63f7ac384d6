import { describe as group, expect, it } from "vitest";
import {
  alignColumns,
  alignColumnsWrappingLast,
  commentText,
  formatNumber,
  indexRange,
  oneLine,
  stringLiteral,
  truncate,
} from "../../src/codegen/text.js";

group("text helpers", () => {
  it.each([
    ["a\nb", "a b"],
    ["a\r\nb", "a b"],
    ["a\u2028b\u2029c", "a b c"],
    ["a\u0085b", "a b"],
    ["  a \t  b  ", "a b"],
    ["a\u0000b\u001bc", "a b c"],
  ])("oneLine(%j) is %j", (input, expected) => {
    expect(oneLine(input)).toBe(expected);
  });

  it("commentText cannot close a block comment or start a new line", () => {
    const text = commentText("x */ alert(1) /* \n y */");
    expect(text).toBe("x *\\/ alert(1) /* y *\\/");
    expect(text).not.toContain("*/");
  });

  it("stringLiteral reads back as the same string and holds no line terminator", () => {
    const text = 'a"b\\c\n\u2028\u2029\ud800 */';
    const literal = stringLiteral(text);
    expect(literal).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(JSON.parse(literal)).toBe(text);
  });

  it.each([
    [3, "3"],
    [-2, "-2"],
    [-0, "0"],
    [0.1 + 0.2, "0.3"],
    [1 / 3, "0.333333"],
    [1e-9, "1e-9"],
  ])("formatNumber(%s) is %s", (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });

  it("indexRange is inclusive and collapses a single index", () => {
    expect(indexRange(4, 1)).toBe("4");
    expect(indexRange(0, 3)).toBe("0..2");
  });

  it("truncate marks the cut", () => {
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
  });

  it("aligns columns without trailing spaces", () => {
    expect(
      alignColumns([
        ["a", "bb", ""],
        ["ccc", "d", "e"],
      ]),
    ).toEqual(["  a    bb", "  ccc  d   e"]);
  });

  it("moves a last cell that would pass the width onto its own line", () => {
    const lines = alignColumnsWrappingLast(
      [
        ["a", "short"],
        ["b", "x".repeat(20)],
      ],
      16,
    );
    expect(lines).toEqual(["  a  short", "  b", "      " + "x".repeat(20)]);
  });
});
