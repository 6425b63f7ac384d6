import { runFromCommandLine } from "./lib/cli.js";
import { runDigits } from "./digits/run.js";

await runFromCommandLine(
  "example:digits",
  "Handwritten digits: a fully connected net with and without an OptNet output layer (paper appendix A).",
  runDigits,
);
