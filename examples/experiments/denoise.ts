import { runFromCommandLine } from "./lib/cli.js";
import { runDenoise } from "./denoise/run.js";

await runFromCommandLine(
  "example:denoise",
  "Total-variation denoising: FC net, best TV, OptNet with a learned D, OptNet tuned from TV (paper Table 1).",
  runDenoise,
);
