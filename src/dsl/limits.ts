/**
 * Limits on program text, so that no input (however large or hostile) crashes, hangs or runs
 * the machine out of memory: past a limit the program is refused with a message that states it.
 * docs/SAFETY.md lists every limit of the project.
 */

/** The longest program text, in characters (about 1 MB of ASCII). */
export const MAX_SOURCE_LENGTH = 1_000_000;

/** The longest name (of a dim, parameter, constant, variable or attribute). */
export const MAX_NAME_LENGTH = 256;

/** The most statements, counting each constraint (each comma-separated piece) as one. */
export const MAX_STATEMENTS = 10_000;

/** The most tokens in one statement (or one constraint line). */
export const MAX_STATEMENT_TOKENS = 20_000;

/** The most tokens in the whole program. */
export const MAX_TOKENS = 250_000;

/** The most diagnostics printed in one CompileError message (all are kept in `diagnostics`). */
export const MAX_REPORTED_DIAGNOSTICS = 50;

/** The most diagnostics collected from one program: past it, reading stops. */
export const MAX_DIAGNOSTICS = 1_000;

/** The widest source line shown under a message: longer lines are cut around the caret. */
export const MAX_SHOWN_LINE = 160;
