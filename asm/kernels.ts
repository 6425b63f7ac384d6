// Dense f64 kernels in AssemblyScript with f64x2 SIMD, the WebAssembly twin of
// src/solver/kernels/typescript.ts. Every argument named like a matrix or vector is a byte
// address into the imported linear memory; matrices are row-major. The JS wrapper
// (src/solver/wasm/wasm-kernels.ts) turns (Float64Array, offset) pairs into these addresses.
//
// Register blocks: x86-64 has 16 vector registers, so the inner loops keep at most ~15 vectors
// live: 4×2 and 2×2 blocks of dot products, and updates of two rows of the output by four rows of
// the input at once. WebAssembly SIMD has no fused multiply-add; relaxed SIMD has one, which the
// relaxed builds use in the dot products (`madd`).
//
// Build: node scripts/build-wasm.mjs (prettier cannot parse AssemblyScript's @inline on functions).

/** 1 where this build fuses its multiply-adds (relaxed SIMD, see `madd`), else 0. */
export function fusedMultiplyAdd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** Where the JS allocator may start handing out memory: above this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

@inline
function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * c + a·b lane by lane: one fused multiply-add where the module is built with relaxed SIMD (the
 * kernels-relaxed variants, scripts/build-wasm.mjs), a multiply and an add otherwise. Fused, the
 * dot-product kernels run ~1.3× faster; the result may differ from the unfused one in the last bit.
 */
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

// Results of the multi-dot helpers: AssemblyScript functions return one value, and inlined
// helpers writing to globals cost nothing in the inner loops (they are written once per call).
let dot00: f64 = 0;
let dot01: f64 = 0;
let dot10: f64 = 0;
let dot11: f64 = 0;
let dot20: f64 = 0;
let dot21: f64 = 0;
let dot30: f64 = 0;
let dot31: f64 = 0;

/** Σ a[k]·b[k] for k < len. */
@inline
function dot(a: usize, b: usize, len: i32): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let k = 0;
  for (; k + 3 < len; k += 4) {
    acc0 = madd(v128.load(at(a, k)), v128.load(at(b, k)), acc0);
    acc1 = madd(v128.load(at(a, k), 16), v128.load(at(b, k), 16), acc1);
  }
  if (k + 1 < len) {
    acc0 = madd(v128.load(at(a, k)), v128.load(at(b, k)), acc0);
    k += 2;
  }
  let sum = hsum(f64x2.add(acc0, acc1));
  if (k < len) sum += load<f64>(at(a, k)) * load<f64>(at(b, k));
  return sum;
}

/** dot00 = a0·b, dot10 = a1·b over len elements: two rows against one vector share its loads. */
@inline
function dot2x1(a0: usize, a1: usize, b: usize, len: i32): void {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let k = 0;
  for (; k + 1 < len; k += 2) {
    const vb = v128.load(at(b, k));
    acc0 = madd(v128.load(at(a0, k)), vb, acc0);
    acc1 = madd(v128.load(at(a1, k)), vb, acc1);
  }
  let s0 = hsum(acc0);
  let s1 = hsum(acc1);
  if (k < len) {
    const bk = load<f64>(at(b, k));
    s0 += load<f64>(at(a0, k)) * bk;
    s1 += load<f64>(at(a1, k)) * bk;
  }
  dot00 = s0;
  dot10 = s1;
}

/** dotRC = aR·bC for R, C ∈ {0, 1} over len elements: a 2×2 register block of dot products. */
@inline
function dot2x2(a0: usize, a1: usize, b0: usize, b1: usize, len: i32): void {
  let acc00 = f64x2.splat(0);
  let acc01 = f64x2.splat(0);
  let acc10 = f64x2.splat(0);
  let acc11 = f64x2.splat(0);
  let k = 0;
  for (; k + 1 < len; k += 2) {
    const va0 = v128.load(at(a0, k));
    const va1 = v128.load(at(a1, k));
    const vb0 = v128.load(at(b0, k));
    const vb1 = v128.load(at(b1, k));
    acc00 = madd(va0, vb0, acc00);
    acc01 = madd(va0, vb1, acc01);
    acc10 = madd(va1, vb0, acc10);
    acc11 = madd(va1, vb1, acc11);
  }
  let s00 = hsum(acc00);
  let s01 = hsum(acc01);
  let s10 = hsum(acc10);
  let s11 = hsum(acc11);
  if (k < len) {
    const x0 = load<f64>(at(a0, k));
    const x1 = load<f64>(at(a1, k));
    const y0 = load<f64>(at(b0, k));
    const y1 = load<f64>(at(b1, k));
    s00 += x0 * y0;
    s01 += x0 * y1;
    s10 += x1 * y0;
    s11 += x1 * y1;
  }
  dot00 = s00;
  dot01 = s01;
  dot10 = s10;
  dot11 = s11;
}

/** dotRC = aR·bC for R < 4, C < 2: a 4×2 register block (8 accumulators, 6 loads per step). */
@inline
function dot4x2(a0: usize, a1: usize, a2: usize, a3: usize, b0: usize, b1: usize, len: i32): void {
  let acc00 = f64x2.splat(0);
  let acc01 = f64x2.splat(0);
  let acc10 = f64x2.splat(0);
  let acc11 = f64x2.splat(0);
  let acc20 = f64x2.splat(0);
  let acc21 = f64x2.splat(0);
  let acc30 = f64x2.splat(0);
  let acc31 = f64x2.splat(0);
  let k = 0;
  for (; k + 1 < len; k += 2) {
    const vb0 = v128.load(at(b0, k));
    const vb1 = v128.load(at(b1, k));
    const va0 = v128.load(at(a0, k));
    acc00 = madd(va0, vb0, acc00);
    acc01 = madd(va0, vb1, acc01);
    const va1 = v128.load(at(a1, k));
    acc10 = madd(va1, vb0, acc10);
    acc11 = madd(va1, vb1, acc11);
    const va2 = v128.load(at(a2, k));
    acc20 = madd(va2, vb0, acc20);
    acc21 = madd(va2, vb1, acc21);
    const va3 = v128.load(at(a3, k));
    acc30 = madd(va3, vb0, acc30);
    acc31 = madd(va3, vb1, acc31);
  }
  let s00 = hsum(acc00);
  let s01 = hsum(acc01);
  let s10 = hsum(acc10);
  let s11 = hsum(acc11);
  let s20 = hsum(acc20);
  let s21 = hsum(acc21);
  let s30 = hsum(acc30);
  let s31 = hsum(acc31);
  if (k < len) {
    const y0 = load<f64>(at(b0, k));
    const y1 = load<f64>(at(b1, k));
    const x0 = load<f64>(at(a0, k));
    const x1 = load<f64>(at(a1, k));
    const x2 = load<f64>(at(a2, k));
    const x3 = load<f64>(at(a3, k));
    s00 += x0 * y0;
    s01 += x0 * y1;
    s10 += x1 * y0;
    s11 += x1 * y1;
    s20 += x2 * y0;
    s21 += x2 * y1;
    s30 += x3 * y0;
    s31 += x3 * y1;
  }
  dot00 = s00;
  dot01 = s01;
  dot10 = s10;
  dot11 = s11;
  dot20 = s20;
  dot21 = s21;
  dot30 = s30;
  dot31 = s31;
}

/** y[k] += c·x[k] for k < len. */
@inline
function axpy(y: usize, c: f64, x: usize, len: i32): void {
  const vc = f64x2.splat(c);
  let k = 0;
  for (; k + 1 < len; k += 2) {
    v128.store(at(y, k), madd(vc, v128.load(at(x, k)), v128.load(at(y, k))));
  }
  if (k < len) store<f64>(at(y, k), load<f64>(at(y, k)) + c * load<f64>(at(x, k)));
}

/** y[k] += c0·x0[k] + c1·x1[k] for k < len. */
@inline
function axpy2(y: usize, c0: f64, x0: usize, c1: f64, x1: usize, len: i32): void {
  const v0 = f64x2.splat(c0);
  const v1 = f64x2.splat(c1);
  let k = 0;
  for (; k + 1 < len; k += 2) {
    const t = f64x2.add(f64x2.mul(v0, v128.load(at(x0, k))), f64x2.mul(v1, v128.load(at(x1, k))));
    v128.store(at(y, k), f64x2.add(v128.load(at(y, k)), t));
  }
  if (k < len) {
    store<f64>(
      at(y, k),
      load<f64>(at(y, k)) + (c0 * load<f64>(at(x0, k)) + c1 * load<f64>(at(x1, k))),
    );
  }
}

/** y[k] += Σ_t c_t·x_t[k], t < 4, for k < len: four rows per pass over y. */
@inline
function axpy4(
  y: usize,
  c0: f64,
  x0: usize,
  c1: f64,
  x1: usize,
  c2: f64,
  x2: usize,
  c3: f64,
  x3: usize,
  len: i32,
): void {
  const v0 = f64x2.splat(c0);
  const v1 = f64x2.splat(c1);
  const v2 = f64x2.splat(c2);
  const v3 = f64x2.splat(c3);
  let k = 0;
  for (; k + 1 < len; k += 2) {
    const t01 = f64x2.add(
      f64x2.mul(v0, v128.load(at(x0, k))),
      f64x2.mul(v1, v128.load(at(x1, k))),
    );
    const t23 = f64x2.add(
      f64x2.mul(v2, v128.load(at(x2, k))),
      f64x2.mul(v3, v128.load(at(x3, k))),
    );
    v128.store(at(y, k), f64x2.add(v128.load(at(y, k)), f64x2.add(t01, t23)));
  }
  if (k < len) {
    const t01 = c0 * load<f64>(at(x0, k)) + c1 * load<f64>(at(x1, k));
    const t23 = c2 * load<f64>(at(x2, k)) + c3 * load<f64>(at(x3, k));
    store<f64>(at(y, k), load<f64>(at(y, k)) + (t01 + t23));
  }
}

/** out (n×n, lower triangle) += Gᵀ diag(w) G for G p×n. */
export function syrkWeighted(g: usize, p: i32, n: i32, w: usize, out: usize): void {
  const rowBytes = <usize>n << 3;
  let k = 0;
  // Four rows of G per sweep over the triangle: out is read and written p/4 times, not p.
  for (; k + 3 < p; k += 4) {
    const g0 = g + <usize>k * rowBytes;
    const g1 = g0 + rowBytes;
    const g2 = g1 + rowBytes;
    const g3 = g2 + rowBytes;
    const w0 = load<f64>(at(w, k));
    const w1 = load<f64>(at(w, k + 1));
    const w2 = load<f64>(at(w, k + 2));
    const w3 = load<f64>(at(w, k + 3));
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const c0 = w0 * load<f64>(at(g0, i));
      const c1 = w1 * load<f64>(at(g1, i));
      const c2 = w2 * load<f64>(at(g2, i));
      const c3 = w3 * load<f64>(at(g3, i));
      const e0 = w0 * load<f64>(at(g0, i + 1));
      const e1 = w1 * load<f64>(at(g1, i + 1));
      const e2 = w2 * load<f64>(at(g2, i + 1));
      const e3 = w3 * load<f64>(at(g3, i + 1));
      const zeroI = c0 == 0 && c1 == 0 && c2 == 0 && c3 == 0;
      const zeroI1 = e0 == 0 && e1 == 0 && e2 == 0 && e3 == 0;
      const o0 = out + <usize>i * rowBytes;
      const o1 = o0 + rowBytes;
      if (zeroI || zeroI1) {
        // Sparse rows (bounds, selections) and zero weights cost O(n), not O(n²), per row.
        if (!zeroI) axpy4(o0, c0, g0, c1, g1, c2, g2, c3, g3, i + 1);
        if (!zeroI1) axpy4(o1, e0, g0, e1, g1, e2, g2, e3, g3, i + 2);
        continue;
      }
      // rows i and i+1 of out += Σ_t (w_t G[t][i]) · G[t][0..i], sharing the loads of G[t][j]
      const vc0 = f64x2.splat(c0);
      const vc1 = f64x2.splat(c1);
      const vc2 = f64x2.splat(c2);
      const vc3 = f64x2.splat(c3);
      const ve0 = f64x2.splat(e0);
      const ve1 = f64x2.splat(e1);
      const ve2 = f64x2.splat(e2);
      const ve3 = f64x2.splat(e3);
      // i is even, so columns 0..i-1 come in pairs; columns i and i+1 follow as scalars.
      for (let j = 0; j < i; j += 2) {
        const x0 = v128.load(at(g0, j));
        const x1 = v128.load(at(g1, j));
        const x2 = v128.load(at(g2, j));
        const x3 = v128.load(at(g3, j));
        const t0 = f64x2.add(
          f64x2.add(f64x2.mul(vc0, x0), f64x2.mul(vc1, x1)),
          f64x2.add(f64x2.mul(vc2, x2), f64x2.mul(vc3, x3)),
        );
        const t1 = f64x2.add(
          f64x2.add(f64x2.mul(ve0, x0), f64x2.mul(ve1, x1)),
          f64x2.add(f64x2.mul(ve2, x2), f64x2.mul(ve3, x3)),
        );
        v128.store(at(o0, j), f64x2.add(v128.load(at(o0, j)), t0));
        v128.store(at(o1, j), f64x2.add(v128.load(at(o1, j)), t1));
      }
      const y0 = load<f64>(at(g0, i));
      const y1 = load<f64>(at(g1, i));
      const y2 = load<f64>(at(g2, i));
      const y3 = load<f64>(at(g3, i));
      store<f64>(at(o0, i), load<f64>(at(o0, i)) + ((c0 * y0 + c1 * y1) + (c2 * y2 + c3 * y3)));
      store<f64>(at(o1, i), load<f64>(at(o1, i)) + ((e0 * y0 + e1 * y1) + (e2 * y2 + e3 * y3)));
      const z0 = load<f64>(at(g0, i + 1));
      const z1 = load<f64>(at(g1, i + 1));
      const z2 = load<f64>(at(g2, i + 1));
      const z3 = load<f64>(at(g3, i + 1));
      store<f64>(
        at(o1, i + 1),
        load<f64>(at(o1, i + 1)) + ((e0 * z0 + e1 * z1) + (e2 * z2 + e3 * z3)),
      );
    }
    if (i < n) {
      const c0 = w0 * load<f64>(at(g0, i));
      const c1 = w1 * load<f64>(at(g1, i));
      const c2 = w2 * load<f64>(at(g2, i));
      const c3 = w3 * load<f64>(at(g3, i));
      if (!(c0 == 0 && c1 == 0 && c2 == 0 && c3 == 0)) {
        axpy4(out + <usize>i * rowBytes, c0, g0, c1, g1, c2, g2, c3, g3, i + 1);
      }
    }
  }
  for (; k < p; k++) {
    const gk = g + <usize>k * rowBytes;
    const wk = load<f64>(at(w, k));
    for (let i = 0; i < n; i++) {
      const c = wk * load<f64>(at(gk, i));
      if (c != 0) axpy(out + <usize>i * rowBytes, c, gk, i + 1);
    }
  }
}

/**
 * out (k×k, lower triangle) = X Xᵀ, plus C (k×k, lower triangle read) when `plusC`: inlined into
 * both exports so that each is compiled without the other's loads.
 */
@inline
function syrkInto(x: usize, k: i32, n: i32, c: usize, out: usize, plusC: bool): void {
  const xRow = <usize>n << 3;
  const outRow = <usize>k << 3;
  let i = 0;
  // Four rows at a time against two columns: 8 accumulators for 6 loads per step (the 2×2 block
  // below needs 4 loads for 4).
  for (; i + 3 < k; i += 4) {
    const xi0 = x + <usize>i * xRow;
    const xi1 = xi0 + xRow;
    const xi2 = xi1 + xRow;
    const xi3 = xi2 + xRow;
    const o0 = out + <usize>i * outRow;
    const o1 = o0 + outRow;
    const o2 = o1 + outRow;
    const o3 = o2 + outRow;
    const c0 = c + <usize>i * outRow;
    const c1 = c0 + outRow;
    const c2 = c1 + outRow;
    const c3 = c2 + outRow;
    for (let j = 0; j < i + 2; j += 2) {
      const xj0 = x + <usize>j * xRow;
      dot4x2(xi0, xi1, xi2, xi3, xj0, xj0 + xRow, n);
      if (j < i) {
        store<f64>(at(o0, j), dot00 + (plusC ? load<f64>(at(c0, j)) : 0));
        store<f64>(at(o0, j + 1), dot01 + (plusC ? load<f64>(at(c0, j + 1)) : 0));
      } else {
        // the diagonal block: (i, i+1) is above the diagonal
        store<f64>(at(o0, j), dot00 + (plusC ? load<f64>(at(c0, j)) : 0));
      }
      store<f64>(at(o1, j), dot10 + (plusC ? load<f64>(at(c1, j)) : 0));
      store<f64>(at(o1, j + 1), dot11 + (plusC ? load<f64>(at(c1, j + 1)) : 0));
      store<f64>(at(o2, j), dot20 + (plusC ? load<f64>(at(c2, j)) : 0));
      store<f64>(at(o2, j + 1), dot21 + (plusC ? load<f64>(at(c2, j + 1)) : 0));
      store<f64>(at(o3, j), dot30 + (plusC ? load<f64>(at(c3, j)) : 0));
      store<f64>(at(o3, j + 1), dot31 + (plusC ? load<f64>(at(c3, j + 1)) : 0));
    }
    dot2x2(xi2, xi3, xi2, xi3, n);
    store<f64>(at(o2, i + 2), dot00 + (plusC ? load<f64>(at(c2, i + 2)) : 0));
    store<f64>(at(o3, i + 2), dot10 + (plusC ? load<f64>(at(c3, i + 2)) : 0));
    store<f64>(at(o3, i + 3), dot11 + (plusC ? load<f64>(at(c3, i + 3)) : 0));
  }
  for (; i + 1 < k; i += 2) {
    const xi0 = x + <usize>i * xRow;
    const xi1 = xi0 + xRow;
    const o0 = out + <usize>i * outRow;
    const o1 = o0 + outRow;
    const c0 = c + <usize>i * outRow;
    const c1 = c0 + outRow;
    for (let j = 0; j < i; j += 2) {
      const xj0 = x + <usize>j * xRow;
      dot2x2(xi0, xi1, xj0, xj0 + xRow, n);
      store<f64>(at(o0, j), dot00 + (plusC ? load<f64>(at(c0, j)) : 0));
      store<f64>(at(o0, j + 1), dot01 + (plusC ? load<f64>(at(c0, j + 1)) : 0));
      store<f64>(at(o1, j), dot10 + (plusC ? load<f64>(at(c1, j)) : 0));
      store<f64>(at(o1, j + 1), dot11 + (plusC ? load<f64>(at(c1, j + 1)) : 0));
    }
    dot2x2(xi0, xi1, xi0, xi1, n);
    store<f64>(at(o0, i), dot00 + (plusC ? load<f64>(at(c0, i)) : 0));
    store<f64>(at(o1, i), dot10 + (plusC ? load<f64>(at(c1, i)) : 0));
    store<f64>(at(o1, i + 1), dot11 + (plusC ? load<f64>(at(c1, i + 1)) : 0));
  }
  if (i < k) {
    const xi = x + <usize>i * xRow;
    const o = out + <usize>i * outRow;
    const cRow = c + <usize>i * outRow;
    for (let j = 0; j < i; j += 2) {
      const xj0 = x + <usize>j * xRow;
      dot2x1(xj0, xj0 + xRow, xi, n);
      store<f64>(at(o, j), dot00 + (plusC ? load<f64>(at(cRow, j)) : 0));
      store<f64>(at(o, j + 1), dot10 + (plusC ? load<f64>(at(cRow, j + 1)) : 0));
    }
    store<f64>(at(o, i), dot(xi, xi, n) + (plusC ? load<f64>(at(cRow, i)) : 0));
  }
}

/** out (k×k, lower triangle) = X Xᵀ for X k×n. */
export function syrk(x: usize, k: i32, n: i32, out: usize): void {
  syrkInto(x, k, n, 0, out, false);
}

/** out (k×k, lower triangle) = C + X Xᵀ for X k×n and C k×k (lower triangle read). */
export function syrkPlus(x: usize, k: i32, n: i32, c: usize, out: usize): void {
  syrkInto(x, k, n, c, out, true);
}

/** out (rows×cols) = M diag(d): column j of M times d[j]. */
export function scaleColumns(m: usize, rows: i32, cols: i32, d: usize, out: usize): void {
  const rowBytes = <usize>cols << 3;
  for (let i = 0; i < rows; i++) {
    const mi = m + <usize>i * rowBytes;
    const oi = out + <usize>i * rowBytes;
    let j = 0;
    for (; j + 1 < cols; j += 2) {
      v128.store(at(oi, j), f64x2.mul(v128.load(at(mi, j)), v128.load(at(d, j))));
    }
    if (j < cols) store<f64>(at(oi, j), load<f64>(at(mi, j)) * load<f64>(at(d, j)));
  }
}

/**
 * In-place Cholesky of the lower triangle of the n×n matrix at a (left-looking, two columns at a
 * time, so the inner loops are 4×2 blocks of dot products of contiguous rows). Returns 1 on
 * success, 0 when a pivot is not positive (or not a number). The upper triangle is not touched.
 */
export function cholesky(a: usize, n: i32): i32 {
  const rowBytes = <usize>n << 3;
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const rj0 = a + <usize>j * rowBytes;
    const rj1 = rj0 + rowBytes;
    // The 2×2 diagonal block: L[j][j], L[j+1][j], L[j+1][j+1].
    dot2x2(rj0, rj1, rj0, rj1, j);
    const d0 = load<f64>(at(rj0, j)) - dot00;
    if (!(d0 > 0)) return 0;
    const l00 = sqrt<f64>(d0);
    const l10 = (load<f64>(at(rj1, j)) - dot10) / l00;
    const d1 = load<f64>(at(rj1, j + 1)) - dot11 - l10 * l10;
    if (!(d1 > 0)) return 0;
    const l11 = sqrt<f64>(d1);
    store<f64>(at(rj0, j), l00);
    store<f64>(at(rj1, j), l10);
    store<f64>(at(rj1, j + 1), l11);
    // Rows below: L[i][j] = (a[i][j] − L[i]·L[j]) / L[j][j], then the same for column j+1.
    let i = j + 2;
    for (; i + 3 < n; i += 4) {
      const ri0 = a + <usize>i * rowBytes;
      const ri1 = ri0 + rowBytes;
      const ri2 = ri1 + rowBytes;
      const ri3 = ri2 + rowBytes;
      dot4x2(ri0, ri1, ri2, ri3, rj0, rj1, j);
      const x00 = (load<f64>(at(ri0, j)) - dot00) / l00;
      const x10 = (load<f64>(at(ri1, j)) - dot10) / l00;
      const x20 = (load<f64>(at(ri2, j)) - dot20) / l00;
      const x30 = (load<f64>(at(ri3, j)) - dot30) / l00;
      store<f64>(at(ri0, j), x00);
      store<f64>(at(ri1, j), x10);
      store<f64>(at(ri2, j), x20);
      store<f64>(at(ri3, j), x30);
      store<f64>(at(ri0, j + 1), (load<f64>(at(ri0, j + 1)) - dot01 - x00 * l10) / l11);
      store<f64>(at(ri1, j + 1), (load<f64>(at(ri1, j + 1)) - dot11 - x10 * l10) / l11);
      store<f64>(at(ri2, j + 1), (load<f64>(at(ri2, j + 1)) - dot21 - x20 * l10) / l11);
      store<f64>(at(ri3, j + 1), (load<f64>(at(ri3, j + 1)) - dot31 - x30 * l10) / l11);
    }
    for (; i + 1 < n; i += 2) {
      const ri0 = a + <usize>i * rowBytes;
      const ri1 = ri0 + rowBytes;
      dot2x2(ri0, ri1, rj0, rj1, j);
      const x00 = (load<f64>(at(ri0, j)) - dot00) / l00;
      const x10 = (load<f64>(at(ri1, j)) - dot10) / l00;
      store<f64>(at(ri0, j), x00);
      store<f64>(at(ri1, j), x10);
      store<f64>(at(ri0, j + 1), (load<f64>(at(ri0, j + 1)) - dot01 - x00 * l10) / l11);
      store<f64>(at(ri1, j + 1), (load<f64>(at(ri1, j + 1)) - dot11 - x10 * l10) / l11);
    }
    if (i < n) {
      const ri = a + <usize>i * rowBytes;
      dot2x1(rj0, rj1, ri, j);
      const x0 = (load<f64>(at(ri, j)) - dot00) / l00;
      store<f64>(at(ri, j), x0);
      store<f64>(at(ri, j + 1), (load<f64>(at(ri, j + 1)) - dot10 - x0 * l10) / l11);
    }
  }
  if (j < n) {
    const rj = a + <usize>j * rowBytes;
    const d = load<f64>(at(rj, j)) - dot(rj, rj, j);
    if (!(d > 0)) return 0;
    store<f64>(at(rj, j), sqrt<f64>(d));
  }
  return 1;
}

/**
 * The Cholesky factor, into a (n×n, lower triangle), of the matrix gathered from the lower
 * triangle of C (stride `stride`): entry (i, j), i > j, is C[index_i·stride + index_j] and the
 * diagonal is `diagonal` (n entries). index holds n ascending row numbers as f64, or is 0 for
 * 0 … n−1. Gathers, then factors in place: reading C inside the factorization instead would fetch
 * each of its cache lines once per two columns, from a matrix that outgrows the cache at n ~ 300.
 */
export function choleskyGathered(
  c: usize,
  stride: i32,
  index: usize,
  diagonal: usize,
  a: usize,
  n: i32,
): i32 {
  const rowBytes = <usize>n << 3;
  const strideBytes = <usize>stride << 3;
  for (let i = 0; i < n; i++) {
    const ai = a + <usize>i * rowBytes;
    if (index == 0) {
      memory.copy(ai, c + <usize>i * strideBytes, <usize>i << 3);
    } else {
      const ci = c + <usize>(<i32>load<f64>(at(index, i))) * strideBytes;
      for (let j = 0; j < i; j++) {
        store<f64>(at(ai, j), load<f64>(at(ci, <i32>load<f64>(at(index, j)))));
      }
    }
    store<f64>(at(ai, i), load<f64>(at(diagonal, i)));
  }
  return cholesky(a, n);
}

/** x ← L⁻¹ x (forward substitution, two rows of L per pass over x). */
export function solveLower(l: usize, n: i32, x: usize): void {
  const rowBytes = <usize>n << 3;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r0 = l + <usize>i * rowBytes;
    const r1 = r0 + rowBytes;
    dot2x1(r0, r1, x, i);
    const xi = (load<f64>(at(x, i)) - dot00) / load<f64>(at(r0, i));
    store<f64>(at(x, i), xi);
    const xi1 = (load<f64>(at(x, i + 1)) - dot10 - load<f64>(at(r1, i)) * xi) /
      load<f64>(at(r1, i + 1));
    store<f64>(at(x, i + 1), xi1);
  }
  if (i < n) {
    const r = l + <usize>i * rowBytes;
    store<f64>(at(x, i), (load<f64>(at(x, i)) - dot(r, x, i)) / load<f64>(at(r, i)));
  }
}

/** x ← L⁻ᵀ x (back substitution by rows of L, i.e. column updates of x, two at a time). */
export function solveLowerTransposed(l: usize, n: i32, x: usize): void {
  const rowBytes = <usize>n << 3;
  let i = n - 1;
  for (; i >= 1; i -= 2) {
    const r1 = l + <usize>i * rowBytes;
    const r0 = r1 - rowBytes;
    const xi = load<f64>(at(x, i)) / load<f64>(at(r1, i));
    store<f64>(at(x, i), xi);
    const xi0 = (load<f64>(at(x, i - 1)) - load<f64>(at(r1, i - 1)) * xi) /
      load<f64>(at(r0, i - 1));
    store<f64>(at(x, i - 1), xi0);
    // x[0..i-1) −= L[i][·]·x[i] + L[i-1][·]·x[i-1]; a sparse right-hand side skips the update.
    if (xi != 0 || xi0 != 0) axpy2(x, -xi, r1, -xi0, r0, i - 1);
  }
  if (i == 0) store<f64>(x, load<f64>(x) / load<f64>(l));
}

/**
 * Every row b of B (k×n) ← L⁻¹ b: four rows of B against two rows of L per block (each pass over
 * L serves four right-hand sides), then pairs and a single row.
 */
export function solveLowerRows(l: usize, n: i32, b: usize, k: i32): void {
  const rowBytes = <usize>n << 3;
  let r = 0;
  for (; r + 3 < k; r += 4) {
    const b0 = b + <usize>r * rowBytes;
    const b1 = b0 + rowBytes;
    const b2 = b1 + rowBytes;
    const b3 = b2 + rowBytes;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const l0 = l + <usize>i * rowBytes;
      const l1 = l0 + rowBytes;
      dot4x2(b0, b1, b2, b3, l0, l1, i);
      const d0 = load<f64>(at(l0, i));
      const c = load<f64>(at(l1, i));
      const d1 = load<f64>(at(l1, i + 1));
      const y0 = (load<f64>(at(b0, i)) - dot00) / d0;
      const y1 = (load<f64>(at(b1, i)) - dot10) / d0;
      const y2 = (load<f64>(at(b2, i)) - dot20) / d0;
      const y3 = (load<f64>(at(b3, i)) - dot30) / d0;
      store<f64>(at(b0, i), y0);
      store<f64>(at(b1, i), y1);
      store<f64>(at(b2, i), y2);
      store<f64>(at(b3, i), y3);
      store<f64>(at(b0, i + 1), (load<f64>(at(b0, i + 1)) - dot01 - c * y0) / d1);
      store<f64>(at(b1, i + 1), (load<f64>(at(b1, i + 1)) - dot11 - c * y1) / d1);
      store<f64>(at(b2, i + 1), (load<f64>(at(b2, i + 1)) - dot21 - c * y2) / d1);
      store<f64>(at(b3, i + 1), (load<f64>(at(b3, i + 1)) - dot31 - c * y3) / d1);
    }
    if (i < n) {
      const li = l + <usize>i * rowBytes;
      const d = load<f64>(at(li, i));
      dot2x1(b0, b1, li, i);
      store<f64>(at(b0, i), (load<f64>(at(b0, i)) - dot00) / d);
      store<f64>(at(b1, i), (load<f64>(at(b1, i)) - dot10) / d);
      dot2x1(b2, b3, li, i);
      store<f64>(at(b2, i), (load<f64>(at(b2, i)) - dot00) / d);
      store<f64>(at(b3, i), (load<f64>(at(b3, i)) - dot10) / d);
    }
  }
  for (; r + 1 < k; r += 2) {
    const b0 = b + <usize>r * rowBytes;
    const b1 = b0 + rowBytes;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const l0 = l + <usize>i * rowBytes;
      const l1 = l0 + rowBytes;
      dot2x2(b0, b1, l0, l1, i);
      const d0 = load<f64>(at(l0, i));
      const c = load<f64>(at(l1, i));
      const d1 = load<f64>(at(l1, i + 1));
      const y0 = (load<f64>(at(b0, i)) - dot00) / d0;
      const y1 = (load<f64>(at(b1, i)) - dot10) / d0;
      store<f64>(at(b0, i), y0);
      store<f64>(at(b1, i), y1);
      store<f64>(at(b0, i + 1), (load<f64>(at(b0, i + 1)) - dot01 - c * y0) / d1);
      store<f64>(at(b1, i + 1), (load<f64>(at(b1, i + 1)) - dot11 - c * y1) / d1);
    }
    if (i < n) {
      const li = l + <usize>i * rowBytes;
      dot2x1(b0, b1, li, i);
      const d = load<f64>(at(li, i));
      store<f64>(at(b0, i), (load<f64>(at(b0, i)) - dot00) / d);
      store<f64>(at(b1, i), (load<f64>(at(b1, i)) - dot10) / d);
    }
  }
  if (r < k) solveLower(l, n, b + <usize>r * rowBytes);
}

/** y ← alpha·M x + beta·y for M rows×cols; beta = 0 overwrites y without reading it (BLAS). */
export function gemv(
  m: usize,
  rows: i32,
  cols: i32,
  alpha: f64,
  x: usize,
  beta: f64,
  y: usize,
): void {
  const rowBytes = <usize>cols << 3;
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const r0 = m + <usize>i * rowBytes;
    dot2x1(r0, r0 + rowBytes, x, cols);
    const y0 = at(y, i);
    const y1 = at(y, i + 1);
    if (beta == 0) {
      store<f64>(y0, alpha * dot00);
      store<f64>(y1, alpha * dot10);
    } else {
      store<f64>(y0, alpha * dot00 + beta * load<f64>(y0));
      store<f64>(y1, alpha * dot10 + beta * load<f64>(y1));
    }
  }
  if (i < rows) {
    const s = dot(m + <usize>i * rowBytes, x, cols);
    const yi = at(y, i);
    store<f64>(yi, beta == 0 ? alpha * s : alpha * s + beta * load<f64>(yi));
  }
}

/** y ← alpha·Mᵀ x + beta·y for M rows×cols (y has cols entries); beta = 0 overwrites y. */
export function gemvTransposed(
  m: usize,
  rows: i32,
  cols: i32,
  alpha: f64,
  x: usize,
  beta: f64,
  y: usize,
): void {
  if (beta == 0) {
    memory.fill(y, 0, <usize>cols << 3);
  } else if (beta != 1) {
    const vb = f64x2.splat(beta);
    let k = 0;
    for (; k + 1 < cols; k += 2) v128.store(at(y, k), f64x2.mul(vb, v128.load(at(y, k))));
    if (k < cols) store<f64>(at(y, k), beta * load<f64>(at(y, k)));
  }
  const rowBytes = <usize>cols << 3;
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const c0 = alpha * load<f64>(at(x, i));
    const c1 = alpha * load<f64>(at(x, i + 1));
    const c2 = alpha * load<f64>(at(x, i + 2));
    const c3 = alpha * load<f64>(at(x, i + 3));
    if (c0 == 0 && c1 == 0 && c2 == 0 && c3 == 0) continue;
    const r0 = m + <usize>i * rowBytes;
    const r1 = r0 + rowBytes;
    const r2 = r1 + rowBytes;
    const r3 = r2 + rowBytes;
    axpy4(y, c0, r0, c1, r1, c2, r2, c3, r3, cols);
  }
  for (; i < rows; i++) {
    const c = alpha * load<f64>(at(x, i));
    if (c != 0) axpy(y, c, m + <usize>i * rowBytes, cols);
  }
}

/**
 * One pass over M (rows×cols) for two products: y = M x, then v = d∘y + c (v = c when
 * `scaled` is 0, d unread) and out = beta·out + Mᵀ v. Each row is read once while it is in
 * cache: the products are bound by memory traffic, not arithmetic.
 */
export function gemvPair(
  m: usize,
  rows: i32,
  cols: i32,
  x: usize,
  y: usize,
  scaled: i32,
  d: usize,
  c: usize,
  v: usize,
  beta: f64,
  out: usize,
): void {
  if (beta == 0) {
    memory.fill(out, 0, <usize>cols << 3);
  } else if (beta != 1) {
    const vb = f64x2.splat(beta);
    let k = 0;
    for (; k + 1 < cols; k += 2) v128.store(at(out, k), f64x2.mul(vb, v128.load(at(out, k))));
    if (k < cols) store<f64>(at(out, k), beta * load<f64>(at(out, k)));
  }
  const rowBytes = <usize>cols << 3;
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const r0 = m + <usize>i * rowBytes;
    const r1 = r0 + rowBytes;
    dot2x1(r0, r1, x, cols);
    const y0 = dot00;
    const y1 = dot10;
    store<f64>(at(y, i), y0);
    store<f64>(at(y, i + 1), y1);
    let v0 = load<f64>(at(c, i));
    let v1 = load<f64>(at(c, i + 1));
    if (scaled != 0) {
      v0 = load<f64>(at(d, i)) * y0 + v0;
      v1 = load<f64>(at(d, i + 1)) * y1 + v1;
    }
    store<f64>(at(v, i), v0);
    store<f64>(at(v, i + 1), v1);
    axpy2(out, v0, r0, v1, r1, cols);
  }
  if (i < rows) {
    const r0 = m + <usize>i * rowBytes;
    const y0 = dot(r0, x, cols);
    store<f64>(at(y, i), y0);
    let v0 = load<f64>(at(c, i));
    if (scaled != 0) v0 = load<f64>(at(d, i)) * y0 + v0;
    store<f64>(at(v, i), v0);
    axpy(out, v0, r0, cols);
  }
}

// ---------------------------------------------------------------------------------------------
// The iteration of a small dense member (src/solver/kkt/small-wasm.ts): the residuals, the
// factorization, and the predictor and corrector, each one call, so that a member of n ~ 10 does
// not pay a JS-to-wasm call and a short loop's set-up per vector operation. G is p×n with every row dense, Gt its
// transpose (n×p), m = 0. The member's arrays are named once, by byte address, in a block of f64
// (SMALL_* below: a call with a few arguments costs less than one with twenty).

const SMALL_N: i32 = 0;
const SMALL_P: i32 = 1;
const SMALL_Q: i32 = 2;
const SMALL_QV: i32 = 3;
const SMALL_G: i32 = 4;
const SMALL_GT: i32 = 5;
const SMALL_H: i32 = 6;
const SMALL_Z: i32 = 7;
const SMALL_S: i32 = 8;
const SMALL_LAM: i32 = 9;
const SMALL_RD: i32 = 10;
const SMALL_RI: i32 = 11;
const SMALL_CS: i32 = 12;
const SMALL_TN: i32 = 13;
const SMALL_TP: i32 = 14;
const SMALL_OUT: i32 = 15;
const SMALL_W: i32 = 16;
const SMALL_SQRTW: i32 = 17;
const SMALL_REG: i32 = 18;
const SMALL_X: i32 = 19;
const SMALL_L: i32 = 20;
const SMALL_DSAFF: i32 = 21;
const SMALL_DLAMAFF: i32 = 22;
const SMALL_DZ: i32 = 23;
const SMALL_DS: i32 = 24;
const SMALL_DLAM: i32 = 25;
/** The Schur block of rows above the split weight: Y (≤ n rows of n), S (≤ n×n), t (≤ n). */
const SMALL_Y: i32 = 26;
const SMALL_SCHUR: i32 = 27;
const SMALL_T: i32 = 28;
/** Per row of G: its place among the moved rows, or −1 (p); the moved rows (≤ n). */
const SMALL_PLACE: i32 = 29;
const SMALL_MOVED: i32 = 30;
/** How many rows moved, and the split weight they keep in K (two entries). */
const SMALL_MOVED_COUNT: i32 = 31;
/**
 * BASE_REGULARIZATION_S of src/solver/kkt/regularization.ts: the Schur block's, relative to its
 * diagonal.
 */
const SCHUR_REGULARIZATION: f64 = 1e-13;

@inline
function slot(block: usize, index: i32): usize {
  return <usize>load<f64>(at(block, index));
}

@inline
function count(block: usize, index: i32): i32 {
  return <i32>load<f64>(at(block, index));
}

/**
 * rd = Qz + q + Gᵀlam, ri = Gz + s − h and cs_j = max(|(Qz)_j|, |q_j|, |(Gᵀlam)_j|) as
 * pdipm.ts's computeResiduals; out[0..6] = objective z'(Qz/2 + q), max|ri|, the inequality scale
 * max(|Gz|, |s|, |h|), s'lam, max_j |rd_j|/(1 + cs_j), max_j |rd_j|/cs_j (0 where rd_j is) and
 * the objective's gradient max|Qz + q| (the scale of pdipm.ts's test of diverged multipliers).
 * tn (n) and tp (p) are scratch.
 */
export function smallResiduals(block: usize): void {
  const n = count(block, SMALL_N);
  const p = count(block, SMALL_P);
  const q = slot(block, SMALL_Q);
  const qv = slot(block, SMALL_QV);
  const z = slot(block, SMALL_Z);
  const s = slot(block, SMALL_S);
  const lam = slot(block, SMALL_LAM);
  const h = slot(block, SMALL_H);
  const rd = slot(block, SMALL_RD);
  const ri = slot(block, SMALL_RI);
  const cs = slot(block, SMALL_CS);
  const tn = slot(block, SMALL_TN);
  const out = slot(block, SMALL_OUT);
  const rowN = <usize>n << 3;
  let objective = 0.0;
  let gradient = 0.0;
  for (let i = 0; i < n; i++) {
    const qz = dot(q + <usize>i * rowN, z, n);
    const qi = load<f64>(at(qv, i));
    objective += load<f64>(at(z, i)) * (0.5 * qz + qi);
    store<f64>(at(cs, i), Math.max(Math.abs(qz), Math.abs(qi)));
    store<f64>(at(rd, i), qz + qi);
    gradient = Math.max(gradient, Math.abs(qz + qi));
  }
  // ri = Gz, tn = Gᵀlam (tp a copy of lam) in one pass over G
  gemvPair(slot(block, SMALL_G), p, n, z, ri, 0, 0, lam, slot(block, SMALL_TP), 0, tn);
  for (let j = 0; j < n; j++) {
    const t = load<f64>(at(tn, j));
    store<f64>(at(cs, j), Math.max(load<f64>(at(cs, j)), Math.abs(t)));
    store<f64>(at(rd, j), load<f64>(at(rd, j)) + t);
  }
  let inNorm = 0.0;
  let inScale = 0.0;
  let complementarity = 0.0;
  for (let i = 0; i < p; i++) {
    const gz = load<f64>(at(ri, i));
    const si = load<f64>(at(s, i));
    const hi = load<f64>(at(h, i));
    inScale = Math.max(inScale, Math.max(Math.abs(gz), Math.max(Math.abs(si), Math.abs(hi))));
    const r = gz + si - hi;
    store<f64>(at(ri, i), r);
    inNorm = Math.max(inNorm, Math.abs(r));
    complementarity += si * load<f64>(at(lam, i));
  }
  let dual = 0.0;
  let scaleFree = 0.0;
  for (let j = 0; j < n; j++) {
    const r = Math.abs(load<f64>(at(rd, j)));
    const c = load<f64>(at(cs, j));
    dual = Math.max(dual, r / (1 + c));
    if (r != 0) scaleFree = Math.max(scaleFree, r / c);
  }
  store<f64>(at(out, 0), objective);
  store<f64>(at(out, 1), inNorm);
  store<f64>(at(out, 2), inScale);
  store<f64>(at(out, 3), complementarity);
  store<f64>(at(out, 4), dual);
  store<f64>(at(out, 5), scaleFree);
  store<f64>(at(out, 6), gradient);
}

/**
 * w = lam/s and the factorization of the dense Schur form (src/solver/kkt/dense-schur.ts) at the
 * first attempt (x: n×p scratch): a row whose weight exceeds `split` keeps `split` in
 * K = Q + Gᵀ diag(wK) G + diag(reg) = L Lᵀ and joins the Schur block, Y = G_moved L⁻ᵀ and S Sᵀ = (Y Yᵀ + diag(1/(w − split)))
 * (1 + 1e-13 on the diagonal). Returns 1, or 0 where a pivot of L is not positive, or −1 where
 * the general factorization must take it (a weight not finite, more than n rows moved, a pivot
 * of S not positive: its retries).
 */
export function smallFactor(block: usize, split: f64): i32 {
  const n = count(block, SMALL_N);
  const p = count(block, SMALL_P);
  const s = slot(block, SMALL_S);
  const lam = slot(block, SMALL_LAM);
  const w = slot(block, SMALL_W);
  const sqrtW = slot(block, SMALL_SQRTW);
  const place = slot(block, SMALL_PLACE);
  const movedRows = slot(block, SMALL_MOVED);
  let moved = 0;
  for (let i = 0; i < p; i++) {
    const wi = load<f64>(at(lam, i)) / load<f64>(at(s, i));
    if (!(wi < Infinity)) return -1;
    store<f64>(at(w, i), wi);
    if (wi > split) {
      if (moved == n) return -1;
      store<f64>(at(place, i), <f64>moved);
      store<f64>(at(movedRows, moved++), <f64>i);
      store<f64>(at(sqrtW, i), Math.sqrt(split));
    } else {
      store<f64>(at(place, i), -1);
      store<f64>(at(sqrtW, i), Math.sqrt(wi));
    }
  }
  store<f64>(slot(block, SMALL_MOVED_COUNT), <f64>moved);
  store<f64>(at(slot(block, SMALL_MOVED_COUNT), 1), split);
  const gt = slot(block, SMALL_GT);
  const reg = slot(block, SMALL_REG);
  const x = slot(block, SMALL_X);
  const l = slot(block, SMALL_L);
  // X = (diag(√wK) G)ᵀ, then L = X Xᵀ + Q in the register-blocked syrk, as factorReducedKkt does
  scaleColumns(gt, n, p, sqrtW, x);
  syrkPlus(x, n, p, slot(block, SMALL_Q), l);
  const rowN = <usize>n << 3;
  for (let i = 0; i < n; i++) {
    const d = l + <usize>i * rowN + (<usize>i << 3);
    store<f64>(d, load<f64>(d) + load<f64>(at(reg, i)));
  }
  if (cholesky(l, n) == 0) return 0;
  if (moved == 0) return 1;
  const g = slot(block, SMALL_G);
  const y = slot(block, SMALL_Y);
  const schur = slot(block, SMALL_SCHUR);
  for (let j = 0; j < moved; j++) {
    memory.copy(y + <usize>j * rowN, g + <usize>load<f64>(at(movedRows, j)) * rowN, rowN);
  }
  solveLowerRows(l, n, y, moved);
  syrk(y, moved, n, schur);
  const rowS = <usize>moved << 3;
  for (let j = 0; j < moved; j++) {
    const d = schur + <usize>j * rowS + (<usize>j << 3);
    const wi = load<f64>(at(w, <i32>load<f64>(at(movedRows, j))));
    const diagonal = load<f64>(d) + 1 / (wi - split);
    store<f64>(d, diagonal + SCHUR_REGULARIZATION * (diagonal > 0 ? diagonal : 1));
  }
  return cholesky(schur, moved) == 0 ? -1 : 1;
}

/**
 * The Newton direction of pdipm.ts's newtonDirection for a member factored by smallFactor:
 * tp = w∘ri − (lam + (second − target)/s) with second = dsAff∘dlamAff when `corrected`,
 * dz = −(L Lᵀ)⁻¹(rd + Gᵀtp), ds = −G dz − ri, dlam = w∘(G dz) + tp. The predictor's ds and dlam
 * are kept in dsAff and dlamAff for the corrector.
 */
export function smallDirection(block: usize, target: f64, corrected: i32): void {
  const n = count(block, SMALL_N);
  const p = count(block, SMALL_P);
  const g = slot(block, SMALL_G);
  const l = slot(block, SMALL_L);
  const s = slot(block, SMALL_S);
  const lam = slot(block, SMALL_LAM);
  const w = slot(block, SMALL_W);
  const rd = slot(block, SMALL_RD);
  const ri = slot(block, SMALL_RI);
  const dsAff = slot(block, SMALL_DSAFF);
  const dlamAff = slot(block, SMALL_DLAMAFF);
  const tp = slot(block, SMALL_TP);
  const dz = slot(block, SMALL_DZ);
  const ds = slot(block, SMALL_DS);
  const dlam = slot(block, SMALL_DLAM);
  for (let i = 0; i < p; i++) {
    const second = corrected != 0 ? load<f64>(at(dsAff, i)) * load<f64>(at(dlamAff, i)) : 0.0;
    const over = load<f64>(at(lam, i)) + (second - target) / load<f64>(at(s, i));
    store<f64>(at(tp, i), load<f64>(at(w, i)) * load<f64>(at(ri, i)) - over);
  }
  for (let j = 0; j < n; j++) store<f64>(at(dz, j), -load<f64>(at(rd, j)));
  const rowN = <usize>n << 3;
  for (let i = 0; i < p; i++) {
    const t = load<f64>(at(tp, i));
    if (t != 0) axpy(dz, -t, g + <usize>i * rowN, n);
  }
  solveLower(l, n, dz);
  // the Schur block (kkt/schur-block.ts, solveThroughSchur): t = S⁻ᵀS⁻¹ Y u, then u − Yᵀt
  const moved = count(slot(block, SMALL_MOVED_COUNT), 0);
  const split = load<f64>(at(slot(block, SMALL_MOVED_COUNT), 1));
  const t = slot(block, SMALL_T);
  const place = slot(block, SMALL_PLACE);
  if (moved > 0) {
    const y = slot(block, SMALL_Y);
    const schur = slot(block, SMALL_SCHUR);
    for (let j = 0; j < moved; j++) store<f64>(at(t, j), dot(y + <usize>j * rowN, dz, n));
    solveLower(schur, moved, t);
    solveLowerTransposed(schur, moved, t);
    for (let j = 0; j < moved; j++) axpy(dz, -load<f64>(at(t, j)), y + <usize>j * rowN, n);
  }
  solveLowerTransposed(l, n, dz);
  // ds = −G dz − ri, dlam = wK∘(G dz) + t (t on the moved rows) + tp
  for (let i = 0; i < p; i++) {
    const gx = dot(g + <usize>i * rowN, dz, n);
    store<f64>(at(ds, i), -gx - load<f64>(at(ri, i)));
    const j = <i32>load<f64>(at(place, i));
    const yg = j < 0 ? load<f64>(at(w, i)) * gx : split * gx + load<f64>(at(t, j));
    store<f64>(at(dlam, i), yg + load<f64>(at(tp, i)));
  }
  if (corrected == 0) {
    memory.copy(dsAff, ds, <usize>p << 3);
    memory.copy(dlamAff, dlam, <usize>p << 3);
  }
}
