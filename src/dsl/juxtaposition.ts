/**
 * Where a missing `,` would otherwise turn into a different valid program. Juxtaposition (`2 z`,
 * `A z`, `1'z`) is a product, so `z>=0 2 z<=1` (comma dropped) would read as `z >= 0*2*z <= 1`.
 * Two rules close that door without losing the products users write:
 *
 * - a number is never the right factor of a juxtaposition (`0 2`, `0 .05`, `z 0`, `0 1'z`);
 * - inside square brackets (sizes, indices, matrix entries) there is no juxtaposition at all.
 *
 * And in a list (constraints, arguments, entries) a sign written against its operand after a
 * space (`1 -1`) is read as the start of a new item, not as a subtraction.
 */

/** What the expression being built is part of: the list whose `,` may have been dropped. */
export type Place = "constraints" | "arguments" | "sizes" | "indices" | "entries" | "expression";

/** The missing separator's list, named in the plural and singular. */
const lists: Partial<Record<Place, [string, string]>> = {
  constraints: ["constraints", "constraint"],
  arguments: ["arguments", "argument"],
  sizes: ["sizes", "size"],
  indices: ["indices", "index"],
  entries: ["entries", "entry"],
};

/** Places inside square brackets: juxtaposition is never allowed there. */
const bracketed: readonly Place[] = ["sizes", "indices", "entries"];

/** Places where a sign glued to its operand (`1 -1`) most likely starts a new item. */
const signStartsItem: readonly Place[] = ["constraints", "arguments", "entries"];

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface Juxtaposed {
  /** the source text of the factor on the left (everything multiplied so far) */
  left: string;
  /** the source text of the juxtaposed factor */
  right: string;
  /** the number the factor starts with, if it starts with one */
  leadingNumber: string | undefined;
}

/** Why `left right` (juxtaposed) is refused here, as a message and a hint; undefined if allowed. */
export function juxtapositionProblem(
  place: Place,
  { left, right, leadingNumber }: Juxtaposed,
): { message: string; hint: string } | undefined {
  const list = lists[place];
  if (bracketed.includes(place) && list !== undefined) {
    const [plural] = list;
    const hint =
      place === "sizes"
        ? `a matrix is \`[${left}, ${right}]\`; a vector of ${left}·${right} entries is \`[${left}*${right}]\``
        : place === "indices"
          ? `separate indices with \`,\`: \`[${left}, ${right}]\`; a product is written \`${left}*${right}\``
          : `separate entries with \`,\`: \`[${left}, ${right}]\``;
    return {
      message: `missing \`,\` between ${plural}? \`${right}\` follows \`${left}\` with no operator`,
      hint,
    };
  }
  if (leadingNumber === undefined) return undefined;
  const product = `\`${left} * ${right}\``;
  if (list !== undefined) {
    const [plural, singular] = list;
    return {
      message: `missing \`,\` between ${plural}? A number cannot follow \`${left}\` as a factor`,
      hint: `put \`,\` before \`${leadingNumber}\` to start a new ${singular}; for a product write ${product}`,
    };
  }
  const joined = left + right;
  if (NUMBER.test(joined))
    return {
      message: `a number cannot follow \`${left}\` as a factor: write \`*\` or remove the space`,
      hint: `${product} is a product, \`${joined}\` one number`,
    };
  return {
    message: `a number cannot follow \`${left}\` as a factor: write \`*\``,
    hint: `write ${product} (a number is never a right factor)`,
  };
}

/**
 * Why `left op right`, written with a space before `op` and none after (`1 -1`), is refused here;
 * undefined where it stays a sum or difference.
 */
export function gluedSignProblem(
  place: Place,
  left: string,
  op: "+" | "-",
  right: string,
): { message: string; hint: string } | undefined {
  const list = lists[place];
  if (!signStartsItem.includes(place) || list === undefined) return undefined;
  const [plural, singular] = list;
  const what = op === "-" ? "difference" : "sum";
  return {
    message: `missing \`,\` between ${plural}? \`${left} ${op}${right}\` reads as one ${what}`,
    hint: `put \`,\` before \`${op}${right}\` to start a new ${singular}; for a ${what} write \`${left} ${op} ${right}\``,
  };
}
