/**
 * Which chains of relations are constraints. A chain is only `lo <= e <= hi` or `hi >= e >= lo`:
 * two relations of the same direction, with ends free of variables and the variables in the
 * middle. Anything else (`x >= 1 y <= 2`, `z <= 1 - 1 <= z`, `a == b c == d`) is most likely two
 * constraints whose `,` was dropped, and is refused rather than read as a different program.
 */
import type { Constraint, Expr, Span } from "../dsl/index.js";
import type { Info } from "./info.js";

export interface ChainProblem {
  message: string;
  hint: string;
  span: Span;
}

/**
 * Why a chained constraint is refused, or undefined when it is one (or is not a chain). `check`
 * gives the ends' infos; the middle is not checked here, so a refused chain reports one error.
 */
export function chainProblem(
  constraint: Constraint,
  check: (e: Expr) => Info | undefined,
  source: string,
): ChainProblem | undefined {
  const { operands, relations } = constraint;
  if (relations.length < 2) return undefined;
  if (relations.length === 2 && relations[0] === relations[1] && relations[0] !== "==") {
    const lo = check(operands[0]);
    const hi = check(operands[2]);
    // An end that failed its check has its own error already.
    if (lo === undefined || hi === undefined) return undefined;
    if (lo.degree === 0 && hi.degree === 0) return undefined;
  }
  const text = (span: Span) => source.slice(span.offset, span.offset + span.length);
  const whole = text(constraint.span);
  const ends =
    "a chain is only `lo <= e <= hi` or `hi >= e >= lo`, with `lo` and `hi` free of variables";
  const split = relations.length === 2 ? splitOffset(operands[1], source) : undefined;
  if (split !== undefined) {
    const cut = split - constraint.span.offset;
    const first = whole.slice(0, cut).trimEnd();
    const second = whole.slice(cut);
    const middleEnd = operands[1].span.offset + operands[1].span.length;
    return {
      message: `missing \`,\` between constraints? This reads as one chain, but ${ends}`,
      hint: `write \`${first}, ${second}\``,
      span: spanAt(source, split, middleEnd - split),
    };
  }
  // A long chain is shown by its first links only: the hint stays one line.
  const shown = Math.min(relations.length, 3);
  const pieces = relations
    .slice(0, shown)
    .map((r, i) => `${text(operands[i].span)} ${r} ${text(operands[i + 1].span)}`);
  if (shown < relations.length) pieces.push("…");
  return {
    message: ends,
    hint: `write the relations as separate constraints: \`${pieces.join(", ")}\``,
    span: constraint.span,
  };
}

/**
 * Where, in the middle of `a REL m REL b`, the second constraint most likely starts: before the
 * second factor of a juxtaposition (`1 y`, `x0 x[1:T+1]`) or at the `+`/`-` of a sum
 * (`1 - 1`), looking down the right-hand side first.
 */
function splitOffset(middle: Expr, source: string): number | undefined {
  if (middle.kind !== "binary") return undefined;
  if (middle.implicit) {
    let first: Expr = middle;
    while (first.kind === "binary" && first.implicit && first.left.kind === "binary") {
      if (!first.left.implicit) break;
      first = first.left;
    }
    return first.kind === "binary" ? first.right.span.offset : undefined;
  }
  if (middle.op !== "+" && middle.op !== "-") return undefined;
  const inner = splitOffset(middle.right, source);
  if (inner !== undefined) return inner;
  let at = middle.left.span.offset + middle.left.span.length;
  while (at < middle.right.span.offset && /\s/.test(source[at] ?? "")) at++;
  return at;
}

/** The span of `length` characters from `offset`, with its line and column. */
function spanAt(source: string, offset: number, length: number): Span {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (source[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset, length };
}
