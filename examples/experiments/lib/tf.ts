import * as tf from "@tensorflow/tfjs";

// Before the first tensor: silences the "install the node backend" banner and skips debug checks.
tf.enableProdMode();

let ready: Promise<void> | undefined;

/** Selects the pure-JavaScript cpu backend (the only one installed with the project). */
export function useCpuBackend(): Promise<void> {
  ready ??= tf.setBackend("cpu").then((ok) => {
    if (!ok) throw new Error("the TensorFlow.js cpu backend could not be initialized");
  });
  return ready;
}

export { tf };
