import type { WorkerReply, WorkerRequest } from "./protocol.js";

/**
 * A solver thread's reply written into shared memory, for callers that cannot take a message
 * synchronously (a page's Web Worker has no `receiveMessageOnPort`): the caller hands a reply
 * area with each request, blocks on the shared flag, then reads the reply from the area.
 *
 * Layout: two int32 (the JSON's bytes, the float64 count), the float64 data from byte 8, then
 * the JSON text, in which every typed array is replaced by where its values are.
 */
const HEADER_BYTES = 8;
/** Room for the JSON of a reply: its keys, a status per member, an error message. */
const TEXT_BYTES = 4096;

interface ArrayRef {
  $array: "f64" | "i32";
  at: number;
  length: number;
}

/** Bytes enough for the reply to `request`. */
export function replyAreaBytes(request: WorkerRequest): number {
  if (request.type !== "solve") return HEADER_BYTES + TEXT_BYTES;
  const { batch, n, m, p } = request.problem;
  // z, ν, λ, s, iterations, three residuals per member, and eliminated columns (at most n)
  const floats = batch * (n + m + 2 * p + 4) + n;
  return HEADER_BYTES + 8 * floats + TEXT_BYTES + 32 * batch;
}

function encode(reply: WorkerReply, floats: Float64Array): { json: Uint8Array; used: number } {
  let used = 0;
  const text = JSON.stringify(reply, (_, value: unknown) => {
    if (!(value instanceof Float64Array || value instanceof Int32Array)) return value;
    if (used + value.length > floats.length) throw new RangeError("the reply area is too small");
    floats.set(value, used);
    const ref: ArrayRef = {
      $array: value instanceof Float64Array ? "f64" : "i32",
      at: used,
      length: value.length,
    };
    used += value.length;
    return ref;
  });
  return { json: new TextEncoder().encode(text), used };
}

export function writeReply(area: SharedArrayBuffer, reply: WorkerReply): void {
  const header = new Int32Array(area, 0, 2);
  const floats = new Float64Array(area, HEADER_BYTES, Math.floor((area.byteLength - 8) / 8));
  let encoded: { json: Uint8Array; used: number };
  try {
    encoded = encode(reply, floats);
    if (HEADER_BYTES + 8 * encoded.used + encoded.json.length > area.byteLength) {
      throw new RangeError("the reply area is too small");
    }
  } catch (error) {
    const message = `a solver thread could not write its reply: ${String(error)}`;
    encoded = encode({ type: "error", message }, floats);
  }
  new Uint8Array(area, HEADER_BYTES + 8 * encoded.used, encoded.json.length).set(encoded.json);
  header[0] = encoded.json.length;
  header[1] = encoded.used;
}

export function readReply(area: SharedArrayBuffer): WorkerReply {
  const [textBytes, used] = new Int32Array(area, 0, 2);
  const floats = new Float64Array(area, HEADER_BYTES, used);
  // TextDecoder does not read shared memory: a copy first.
  const json = new Uint8Array(textBytes);
  json.set(new Uint8Array(area, HEADER_BYTES + 8 * used, textBytes));
  return JSON.parse(new TextDecoder().decode(json), (_, value: unknown) => {
    if (typeof value !== "object" || value === null || !("$array" in value)) return value;
    const ref = value as ArrayRef;
    const part = floats.subarray(ref.at, ref.at + ref.length);
    return ref.$array === "f64" ? Float64Array.from(part) : Int32Array.from(part);
  }) as WorkerReply;
}
