import { stopWaiting } from '../connectors/sdk/stopping.js';

/**
 * Stops cleanly on SIGINT / SIGTERM: no more jobs are taken, the run in flight finishes its page,
 * the rest is given back, connections close. A second signal while stopping exits at once (the
 * jobs still held come back to the other workers after the lock timeout).
 */
export function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`\n${signal} again: exiting now\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopping = true;
      process.stderr.write(`\n${signal}: stopping…\n`);
      // From now on no request waits (a backoff, a rate-limit turn, a licence seat): the page in hand
      // ends within one request's timeout, and its records are retried by whoever still runs.
      stopWaiting();
      stop().finally(() => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
        // Everything is stopped and closed; a handle some library left behind (graphile-worker's
        // after its pool died on a database restart, seen in the fault suite) must not keep the
        // process alive. The timer does not hold it up when nothing else does.
        setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref();
        resolve();
      });
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
