/**
 * The one place where a member's KKT form is chosen, and the KKT layer's entry points for the
 * iteration (pdipm.ts) and the backward pass (backward.ts).
 *
 * A member's candidates are the forms whose `accepts` holds for its plan, in this order: the
 * path Laplacian, the eliminated auxiliary columns, the range-space form, the equalities in K,
 * the diagonal form, and the dense Schur form, which accepts every member. Each factorization
 * tries them in turn: a form that declines (a failed pivot of its structured factorization, a
 * cost count) leaves the member to the next; the first that factors is the member's current
 * form (factorization.form), which its solves use until the next factorization. With `structure: false`
 * only the forms that read no structure are candidates: the dense Schur form, and for equality
 * constrained members without inequalities the equalities in K (a regularization, not a
 * structure).
 *
 * Small dense members may also have their KKT work and measures done by WebAssembly kernels
 * (small-wasm.ts) under the same iteration, before the forms take over at their end:
 * chooseSmallMember.
 */
import type { KktSystem, Workspace } from "../workspace.js";
import { denseSchur } from "./dense-schur.js";
import { diagonal } from "./diagonal.js";
import { eliminated } from "./eliminated.js";
import { equalitiesInK } from "./equalities-in-k.js";
import { FORM_ID, NO_FORM, type KktForm } from "./form.js";
import { pathLaplacian } from "./path-laplacian.js";
import type { StructurePlan } from "./plan.js";
import { rangeSpace } from "./range-space.js";
import { kRegularizationScale } from "./regularization.js";
import { acceptsSmallMember, loadSmallMember, type SmallMemberEngine } from "./small-wasm.js";

/** Every form, at the index of its id, in the order they are tried. */
export const FORMS: readonly KktForm[] = [
  pathLaplacian,
  eliminated,
  rangeSpace,
  equalitiesInK,
  diagonal,
  denseSchur,
];

/** The forms member k may take, in the order they are tried (written into `into`). */
export function chooseForms(
  plan: StructurePlan,
  k: number,
  into: KktForm[] = [],
): readonly KktForm[] {
  into.length = 0;
  for (const form of FORMS) if (form.accepts(plan, k)) into.push(form);
  return into;
}

function candidatesOf(plan: StructurePlan, k: number): readonly KktForm[] {
  if (plan.candidatesOf !== k) {
    chooseForms(plan, k, plan.candidates);
    plan.candidatesOf = k;
  }
  return plan.candidates;
}

/**
 * Factors member k's reduced KKT system at (s, lam) with the proximal regularization (rho, delta)
 * (Factorization.rho): K = Q + rho·I + G' diag(w) G with w = lam/(s + delta·lam), and −delta·I in the
 * equality block; rows above `splitWeight` in a Schur block. Returns false when no
 * factorization exists.
 */
export function factorKkt(
  ws: Workspace,
  k: number,
  splitWeight: number,
  rho = 0,
  delta = 0,
): boolean {
  const { data, factorization } = ws;
  const { n, m, p } = data;
  const { s, lam } = ws.iterate;
  const { w } = factorization;
  factorization.rho[k] = rho;
  factorization.delta[k] = delta;
  factorization.deltaEq.fill(0, k * m, (k + 1) * m);
  const pOff = k * p;
  if (delta === 0) for (let i = 0; i < p; i++) w[pOff + i] = lam[pOff + i] / s[pOff + i];
  else {
    for (let i = 0; i < p; i++) {
      const li = lam[pOff + i];
      w[pOff + i] = li / (s[pOff + i] + delta * li);
    }
  }
  const { request } = data.plan;
  request.splitWeight = splitWeight;
  request.rho = rho;
  request.delta = delta;
  request.globalRegularization = kRegularizationScale(data.Q, k * data.stride.Q, n);
  request.qFactorInL = factorization.form[k] === FORM_ID.rangeSpace;
  request.kept = -1;
  factorization.form[k] = NO_FORM;
  for (const form of candidatesOf(data.plan, k)) {
    const outcome = form.factor(ws, k, request);
    if (outcome === "declined") continue;
    if (outcome === "failed") return false;
    factorization.form[k] = form.id;
    return true;
  }
  return false;
}

/**
 * Solves member k's reduced KKT system for the right-hand side in (scratch.r1, scratch.r2) with its last
 * factorization, refined to `tolerance`: x at (x, xOff), y at (y, yOff); leaves G x in scratch.gx
 * and w∘(G x) in scratch.yG.
 */
export function solveKkt(
  ws: KktSystem,
  k: number,
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
  tolerance: number,
): void {
  const { factorization } = ws;
  const form = FORMS[factorization.form[k]];
  if (form === undefined) throw new Error(`solveKkt: member ${k} has no factorization`);
  form.solve(ws, k, x, xOff, y, yOff, tolerance);
}

/**
 * The small-member engine for member k's iterations, its data loaded, where the batch has one
 * (`engine`: smallMemberEngine) and the member's plan accepts it; else null.
 */
export function chooseSmallMember(
  engine: SmallMemberEngine | null,
  ws: Workspace,
  k: number,
): SmallMemberEngine | null {
  const { data } = ws;
  if (engine === null || !acceptsSmallMember(data.plan, ws, k)) return null;
  loadSmallMember(engine, ws, k);
  return engine;
}

/** The name of member k's current form ("none" before its first factorization). */
export function formOf(ws: KktSystem, k: number): string {
  const { factorization } = ws;
  return factorization.form[k] === NO_FORM ? "none" : FORMS[factorization.form[k]].name;
}

/** The auxiliary columns member k's current factorization eliminated (0: none). */
export function eliminatedColumns(ws: KktSystem, k: number): number {
  const { data, factorization } = ws;
  const form = factorization.form[k];
  return form === FORM_ID.eliminated || form === FORM_ID.pathLaplacian ? data.plan.elimCount[k] : 0;
}
