/**
 * The process is stopping (SIGTERM to `ledgerlink worker` or `serve`): requests in flight finish,
 * but no request waits any more — not a backoff before a retry, not a turn of the rate limit, not a
 * seat of an API licence. The record goes back to the engine as a transient failure, retried soon
 * by whoever is still running, and the page in hand ends at once instead of holding the process
 * (and its job locks) for minutes. One per process: stopping is the process's state.
 */
const stopping = new AbortController();

export const stoppingSignal = (): AbortSignal => stopping.signal;

/** Called once the process begins to stop. */
export function stopWaiting(): void {
  if (!stopping.signal.aborted) stopping.abort(new Error('the process is stopping'));
}

/**
 * Runs `wait` with a signal that aborts when the request's own does or the process stops, and lets
 * go of both afterwards (a listener left on the process-long signal per request would pile up).
 */
export async function untilStopped<T>(
  signal: AbortSignal | undefined,
  wait: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const both = new AbortController();
  const abort = () => both.abort();
  for (const s of [signal, stopping.signal]) {
    if (s?.aborted) both.abort();
    else s?.addEventListener('abort', abort, { once: true });
  }
  try {
    return await wait(both.signal);
  } finally {
    signal?.removeEventListener('abort', abort);
    stopping.signal.removeEventListener('abort', abort);
  }
}
