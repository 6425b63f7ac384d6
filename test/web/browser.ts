import { existsSync } from "node:fs";

/** Where Debian puts its Chromium builds; the headless shell is enough for tests. */
const CANDIDATES = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"];

/** A Chromium that playwright-core can drive, or null. */
export const chromiumPath: string | null = CANDIDATES.find((path) => existsSync(path)) ?? null;

/** The one line a skipped browser test prints. */
export const NO_CHROMIUM =
  "browser tests skipped: no Chromium at " +
  CANDIDATES.join(" or ") +
  " (install it with `apt-get install chromium-headless-shell`; .ci/run does where apt-get is available)";
