import { applyLayer, compileLayer } from "../lib/optnet.js";
import { tf } from "../lib/tf.js";
import type { DenoisingModel } from "./models.js";
import { differenceMatrix } from "./signals.js";

/**
 * The paper's "OptNet, tuned TV" (Table 1; locuslab/optnet denoising/models.py, `tvInit`): a
 * general QP over z = (signal, epigraph) with every matrix learned. The noisy signal enters only
 * the linear term, through an affine map q = W x + c computed before the layer.
 */
export const generalQpSource = `# a general QP layer: the paper's model tuned from total variation (Amos & Kolter 2017, Table 1)
dim n = 199             # the signal (100) and one epigraph variable per difference (99)
dim p = 198             # learned inequalities
parameter q[n]          # q = W x + c, an affine map of the noisy signal x
parameter P[n, n] psd   # P = L L' with L lower triangular
parameter G[p, n]
parameter h[p]          # h = G z0 + s0
variable z[n]
minimize 0.5 * quad_form(z, P) + q'z
subject to
  G z <= h
`;

/** The authors' curvature on the epigraph variables at the start (their Q's 1e-8 diagonal). */
export const epigraphCurvature = 1e-8;

/**
 * Solves G z0 = −s0 with the least-norm z0 = −G'(GG')⁻¹ s0, in float64, so that h = G z0 + s0 is
 * zero at the start (the authors' (G'G + 1e-5 I)⁻¹G' leaves h at about 1e-5).
 */
function leastNormOffset(G: Float64Array, rows: number, cols: number, s0: number): Float64Array {
  const gram = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = 0; k < cols; k++) sum += (G[i * cols + k] ?? 0) * (G[j * cols + k] ?? 0);
      gram[i * rows + j] = sum;
      gram[j * rows + i] = sum;
    }
  // Cholesky of GG' (positive definite: G has full row rank), then two triangular solves
  for (let j = 0; j < rows; j++) {
    let d = gram[j * rows + j] ?? 0;
    for (let k = 0; k < j; k++) d -= (gram[j * rows + k] ?? 0) ** 2;
    const pivot = Math.sqrt(d);
    gram[j * rows + j] = pivot;
    for (let i = j + 1; i < rows; i++) {
      let v = gram[i * rows + j] ?? 0;
      for (let k = 0; k < j; k++) v -= (gram[i * rows + k] ?? 0) * (gram[j * rows + k] ?? 0);
      gram[i * rows + j] = v / pivot;
    }
  }
  const y = new Float64Array(rows).fill(-s0);
  for (let i = 0; i < rows; i++) {
    let v = y[i] ?? 0;
    for (let k = 0; k < i; k++) v -= (gram[i * rows + k] ?? 0) * (y[k] ?? 0);
    y[i] = v / (gram[i * rows + i] ?? 1);
  }
  for (let i = rows - 1; i >= 0; i--) {
    let v = y[i] ?? 0;
    for (let k = i + 1; k < rows; k++) v -= (gram[k * rows + i] ?? 0) * (y[k] ?? 0);
    y[i] = v / (gram[i * rows + i] ?? 1);
  }
  const z0 = new Float64Array(cols);
  for (let k = 0; k < cols; k++) {
    let v = 0;
    for (let i = 0; i < rows; i++) v += (G[i * cols + k] ?? 0) * (y[i] ?? 0);
    z0[k] = v;
  }
  return z0;
}

/** G of total variation over z = (x, t): rows (D, −I) and (−D, −I), so |D x| ≤ t. */
export function tvInequalities(length: number): Float64Array {
  const n = 2 * length - 1;
  const rows = length - 1;
  const D = differenceMatrix(length);
  const G = new Float64Array(2 * rows * n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < length; j++) {
      G[i * n + j] = D[i * length + j] ?? 0;
      G[(rows + i) * n + j] = -(D[i * length + j] ?? 0);
    }
    G[i * n + length + i] = -1;
    G[(rows + i) * n + length + i] = -1;
  }
  return G;
}

export interface GeneralQpModel extends DenoisingModel {
  /** the learned G's block on the signal (its first `length` columns), as D's two copies */
  signalBlock(): Float32Array;
}

/**
 * The paper's model started exactly at TV with weight λ: L = diag(1, …, 1, 1e-4, …) so that
 * P = L L' is I on the signal and 1e-8 on the epigraph, G is TV's, s0 = 1 with z0 making
 * h = 0, W = [−I; 0] and c = [0; λ·1] (the authors add 1e-3 noise to W; here it starts at 0 so
 * that the model starts at TV itself). Every one of them is then trained.
 */
export function createGeneralQpModel(
  name: string,
  length: number,
  lam: number,
  solveOptions: { eps?: number; maxIter?: number },
): GeneralQpModel {
  const n = 2 * length - 1;
  const p = 2 * (length - 1);
  const layer = compileLayer(generalQpSource, { n, p });
  const lInit = new Float32Array(n * n);
  for (let i = 0; i < n; i++) lInit[i * n + i] = i < length ? 1 : Math.sqrt(epigraphCurvature);
  const lower = tf.tensor2d(
    Float32Array.from({ length: n * n }, (_, k) => (k % n <= Math.floor(k / n) ? 1 : 0)),
    [n, n],
  );
  const G0 = tvInequalities(length);
  const s0 = 1;
  const z0 = leastNormOffset(G0, p, n, s0);
  const wInit = new Float32Array(n * length);
  for (let i = 0; i < length; i++) wInit[i * length + i] = -1;
  const cInit = new Float32Array(n);
  for (let i = length; i < n; i++) cInit[i] = lam;

  const L = tf.variable(tf.tensor2d(lInit, [n, n]));
  const G = tf.variable(tf.tensor2d(Float32Array.from(G0), [p, n]));
  const Z0 = tf.variable(tf.tensor2d(Float32Array.from(z0), [n, 1]));
  const S0 = tf.variable(tf.fill([p, 1], s0) as tf.Tensor2D);
  const W = tf.variable(tf.tensor2d(wInit, [n, length]));
  const c = tf.variable(tf.tensor1d(cInit));
  return {
    name,
    variables: [L, G, Z0, S0, W, c],
    predict(noisy) {
      const triangular = tf.mul(L, lower) as tf.Tensor2D;
      const P = tf.matMul(triangular, triangular, false, true);
      const h = tf.add(tf.matMul(G, Z0), S0).reshape([p]);
      const q = tf.add(tf.matMul(noisy, W, false, true), c) as tf.Tensor2D;
      const z = applyLayer(layer, { q, P, G, h }, "z", solveOptions);
      return tf.slice(z, [0, 0], [-1, length]) as tf.Tensor2D;
    },
    signalBlock() {
      return tf.tidy(() => tf.slice(G, [0, 0], [-1, length]).dataSync() as Float32Array);
    },
  };
}
