export { describe } from "./describe.js";
export { toJSON, canonToJsonText, CANON_JSON_VERSION } from "./json.js";
export type { JsonValue } from "./json.js";
export { emitTypeScript } from "./emitTypeScript.js";
