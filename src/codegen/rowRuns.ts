import type { RowBlock } from "../canon/index.js";

/** A run of consecutive rows of A|b or G|h and the row block it came from (null: none recorded). */
export interface RowRun {
  start: number;
  count: number;
  block: RowBlock | null;
}

/**
 * Rows 0..rows-1 split by origin, in row order. The compiler's row blocks should cover them
 * exactly; rows they miss still get a run, so nothing is dropped from what is shown or emitted.
 */
export function rowRuns(blocks: readonly RowBlock[], rows: number): RowRun[] {
  const sorted = blocks.filter((b) => b.count > 0).sort((a, b) => a.start - b.start);
  const runs: RowRun[] = [];
  let next = 0;
  const gapUntil = (end: number) => {
    if (end > next) runs.push({ start: next, count: end - next, block: null });
  };
  for (const block of sorted) {
    const start = Math.max(block.start, next);
    const end = Math.min(block.start + block.count, rows);
    if (end <= start) continue;
    gapUntil(start);
    runs.push({ start, count: end - start, block });
    next = end;
  }
  gapUntil(rows);
  return runs;
}
