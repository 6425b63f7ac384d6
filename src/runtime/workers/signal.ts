/**
 * Blocks until signal[0] is no longer 0, or `timeoutMs` passed (false). A wake-up alone proves
 * nothing: the worker stores the flag, then notifies, and the caller may have seen the flag,
 * taken the reply and posted the next request (clearing the flag) before that notify runs; it
 * then wakes the wait for the next reply, which is not there yet.
 */
export function waitForSignal(signal: Int32Array, timeoutMs: number): boolean {
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(signal, 0) === 0) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(signal, 0, 0, left);
  }
  return true;
}
