import { paIsConst, type ParamAffine } from "./affine.js";
import type { ParamPolynomial } from "./types.js";

/** A quadratic polynomial in θ under construction (the objective's offset). */
export class PolynomialBuilder {
  constant = 0;
  readonly linear = new Map<number, number>();
  /** key a*stride+b with a ≤ b */
  readonly quadratic = new Map<string, number>();

  addAffine(a: ParamAffine, scale = 1): void {
    this.constant += scale * a.c;
    for (const [k, v] of a.t) this.linear.set(k, (this.linear.get(k) ?? 0) + scale * v);
  }

  /** += scale · a · b, for θ-affine a and b */
  addProduct(a: ParamAffine, b: ParamAffine, scale = 1): void {
    this.constant += scale * a.c * b.c;
    for (const [k, v] of a.t) this.linear.set(k, (this.linear.get(k) ?? 0) + scale * v * b.c);
    for (const [k, v] of b.t) this.linear.set(k, (this.linear.get(k) ?? 0) + scale * v * a.c);
    for (const [i, u] of a.t)
      for (const [j, v] of b.t) {
        const key = i <= j ? `${i},${j}` : `${j},${i}`;
        this.quadratic.set(key, (this.quadratic.get(key) ?? 0) + scale * u * v);
      }
  }

  /** += scale · w · a · b where w is θ-free or a, b are (the caller checks degrees) */
  addWeightedProduct(w: ParamAffine, a: ParamAffine, b: ParamAffine, scale = 1): void {
    if (paIsConst(w)) this.addProduct(a, b, scale * w.c);
    else if (paIsConst(a)) this.addProduct(w, b, scale * a.c);
    else if (paIsConst(b)) this.addProduct(w, a, scale * b.c);
    else throw new Error("internal: cubic term in the objective offset");
  }

  build(): ParamPolynomial {
    const linear = { param: [] as number[], coef: [] as number[] };
    for (const [k, v] of [...this.linear].sort((x, y) => x[0] - y[0]))
      if (v !== 0) {
        linear.param.push(k);
        linear.coef.push(v);
      }
    const quadratic = { a: [] as number[], b: [] as number[], coef: [] as number[] };
    for (const [key, v] of this.quadratic) {
      if (v === 0) continue;
      const [a, b] = key.split(",").map(Number);
      quadratic.a.push(a);
      quadratic.b.push(b);
      quadratic.coef.push(v);
    }
    return { constant: this.constant, linear, quadratic };
  }
}

export function evaluatePolynomial(p: ParamPolynomial, theta: ArrayLike<number>): number {
  let v = p.constant;
  for (let k = 0; k < p.linear.param.length; k++) v += p.linear.coef[k] * theta[p.linear.param[k]];
  for (let k = 0; k < p.quadratic.a.length; k++)
    v += p.quadratic.coef[k] * theta[p.quadratic.a[k]] * theta[p.quadratic.b[k]];
  return v;
}
