import { runFromCommandLine } from "./lib/cli.js";
import { runSudoku } from "./sudoku/run.js";

await runFromCommandLine(
  "example:sudoku",
  "Learn 4x4 Sudoku from examples with an OptNet layer and a convolutional baseline (paper section 4.4).",
  runSudoku,
);
