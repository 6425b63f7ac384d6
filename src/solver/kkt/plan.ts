/**
 * The StructurePlan: what is known of a batch's structure, from which choose.ts picks the KKT
 * forms each member may take. Made once per batch (createWorkspace) from the QPBatch and the
 * options; what the compiler states is taken as given (QPStructure.boundRows: the rows of G that
 * are ±e_j in every member; QPStructure.auxiliaryColumns: the columns it added, the only ones
 * the elimination considers; operands that no parameter touches arrive shared, so their analysis
 * and factors are made once for the batch). The rest comes from one analysis of each member's
 * data before its iterations (analyseMember): its unit rows, whether Q is diagonal, which of the
 * candidate auxiliary columns it can eliminate and whether they form a path. Members whose Q, A
 * and G are shared reuse member 0's.
 *
 * `structure: false` plans the dense form for every member (choose.ts). Its unit rows are found
 * all the same and added to K's diagonal as the dense form adds them on the default path: the
 * two paths then differ in the form only, and where the default path takes the dense form too
 * they compute the same iterates (at 1e-9 on Maros–Meszaros, QISRAEL and QSCAGR7 solved only on
 * one path, QSCAGR25 only on the other, while unit rows went through the syrk and the split).
 */
import type { QPBatch } from "../types.js";
import { measureMember, type KktSystem, type ProblemData } from "../workspace.js";
import { findEliminableColumns } from "./eliminated.js";
import type { FactorRequest, KktForm } from "./form.js";

export interface StructurePlan {
  readonly n: number;
  readonly m: number;
  readonly p: number;
  /** Whether structure is exploited at all (SolverOptions.structure). */
  readonly structure: boolean;
  /** Whether auxiliary columns may be eliminated (SolverOptions.eliminateAuxiliary). */
  readonly eliminate: boolean;
  /**
   * The columns the elimination considers, in order: the compiler's auxiliary columns
   * (QPStructure.auxiliaryColumns) where it states them, else every column.
   */
  readonly auxiliaryCandidates: Int32Array;
  /** Per member: how many auxiliary columns it has (eliminated.ts; 0: none). */
  readonly elimCount: Int32Array;
  /** Per member: whether its eliminated system is a path Laplacian (path-laplacian.ts). */
  readonly pathFound: Uint8Array;
  /** Of the member being solved (one entry, analyseMember): whether its Q is diagonal. */
  readonly diagonalQ: Uint8Array;
  /** The forms member `candidatesOf` may take, in the order they are tried (choose.ts). */
  readonly candidates: KktForm[];
  candidatesOf: number;
  /** The request of the factorization in progress (choose.ts, factorKkt). */
  readonly request: FactorRequest;
}

export function createPlan(
  problem: QPBatch,
  structure: boolean,
  eliminate: boolean,
): StructurePlan {
  const { batch, n, m, p } = problem;
  return {
    n,
    m,
    p,
    structure,
    eliminate: structure && eliminate,
    auxiliaryCandidates:
      problem.structure?.auxiliaryColumns ?? Int32Array.from({ length: n }, (_, j) => j),
    elimCount: new Int32Array(batch),
    pathFound: new Uint8Array(batch),
    diagonalQ: new Uint8Array(1),
    candidates: [],
    candidatesOf: -1,
    request: {
      splitWeight: 0,
      rho: 0,
      delta: 0,
      globalRegularization: 0,
      qFactorInL: false,
      kept: -1,
    },
  };
}

/**
 * The analysis of member k's data that the plan needs, before its iterations: its unit rows
 * (done once at createWorkspace where G is shared; G's dense rows are transposed when a form
 * first reads them, transposed-g.ts), its size and Q's pattern (measureMember), its auxiliary
 * columns and path (eliminated.ts).
 */
export function analyseMember(ws: KktSystem, k: number): void {
  const { data } = ws;
  if (data.stride.G !== 0) findUnitRows(data, k);
  measureMember(data, k);
  findEliminableColumns(ws, k);
  data.plan.candidatesOf = -1;
}

/** unitColumn, denseRows and denseCount of member k (see ProblemData). */
export function findUnitRows(data: ProblemData, k: number): void {
  const { n, G, unitColumn, denseRows, generalRows, pg, boundRow, boundColumn } = data;
  const gOff = k * data.stride.G;
  unitColumn.fill(-1);
  for (let t = 0; t < boundRow.length; t++) unitColumn[boundRow[t]] = boundColumn[t];
  let count = 0;
  for (let t = 0; t < pg; t++) {
    const i = generalRows[t];
    let column = -1;
    for (let j = 0; j < n; j++) {
      const v = G[gOff + i * n + j];
      if (v === 0) continue;
      if (column >= 0 || (v !== 1 && v !== -1)) {
        column = -2;
        break;
      }
      column = j;
    }
    if (column >= 0) unitColumn[i] = column;
    else denseRows[count++] = i;
  }
  data.denseCount[0] = count;
  // Gt, of the dense rows before, is stale
  data.transposedOf[0] = -1;
}
