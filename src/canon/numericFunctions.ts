/**
 * Functions and named numbers that exist only for constants (`sqrt(2)`, `exp(-1)`, `pi`): they
 * are evaluated at compile time, entry by entry, and refused on variables and parameters, where
 * they are not QP-representable or not affine in the parameters.
 */
export interface NumericFunction {
  name: string;
  signature: string;
  evaluate(x: number): number;
  /** why x is outside the function's domain, or undefined */
  domain(x: number): string | undefined;
}

const anywhere = (): undefined => undefined;

const FUNCTION_LIST: NumericFunction[] = [
  {
    name: "sqrt",
    signature: "sqrt(c)",
    evaluate: Math.sqrt,
    domain: (x) =>
      x < 0 ? `\`sqrt\` of the negative number ${x} is not a real number` : undefined,
  },
  { name: "exp", signature: "exp(c)", evaluate: Math.exp, domain: anywhere },
  {
    name: "log",
    signature: "log(c)",
    evaluate: Math.log,
    domain: (x) => (x <= 0 ? `\`log\` is defined for positive numbers only, not ${x}` : undefined),
  },
];

export const NUMERIC_FUNCTIONS: ReadonlyMap<string, NumericFunction> = new Map(
  FUNCTION_LIST.map((f) => [f.name, f]),
);

/**
 * Named numbers, used where no declared name shadows them. Only `pi`: a one-letter `e` would turn
 * a mistyped name into a valid program (write `exp(1)`).
 */
export const NUMERIC_CONSTANTS: ReadonlyMap<string, number> = new Map([["pi", Math.PI]]);
