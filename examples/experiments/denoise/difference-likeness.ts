/**
 * How close a learned operator is to a first-difference operator, row by row: the share of a
 * row's squared norm that lies on its best single difference direction (e_j − e_(j+1))/√2, and
 * its row sum relative to its norm (a difference row sums to zero, so it leaves levels free).
 * diff(n) scores 1 and 0; a random Gaussian row of length 100 scores about 0.04 and 0.1.
 */
export interface DifferenceLikeness {
  /** mean over rows of max_j (d_j − d_(j+1))² / (2‖d‖²) */
  meanShareOnBestDifference: number;
  /** rows whose best difference holds at least half their squared norm */
  rowsMostlyOneDifference: number;
  /** mean over rows of |Σ_j d_j| / (√n ‖d‖) */
  meanRelativeRowSum: number;
  rows: number;
}

export function differenceLikeness(
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
): DifferenceLikeness {
  let share = 0;
  let mostly = 0;
  let rowSum = 0;
  for (let i = 0; i < rows; i++) {
    let norm = 0;
    let sum = 0;
    let bestPair = 0;
    for (let j = 0; j < cols; j++) {
      const v = matrix[i * cols + j] ?? 0;
      norm += v * v;
      sum += v;
      if (j + 1 < cols) bestPair = Math.max(bestPair, (v - (matrix[i * cols + j + 1] ?? 0)) ** 2);
    }
    if (norm === 0) continue;
    const s = bestPair / (2 * norm);
    share += s;
    if (s >= 0.5) mostly++;
    rowSum += Math.abs(sum) / Math.sqrt(cols * norm);
  }
  return {
    meanShareOnBestDifference: share / rows,
    rowsMostlyOneDifference: mostly,
    meanRelativeRowSum: rowSum / rows,
    rows,
  };
}
