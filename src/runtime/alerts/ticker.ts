import type { Logger } from 'pino';
import type { Alerter } from './alerter.js';

/**
 * Runs the alert check every `everySeconds` in a serving process, one round at a time (a slow mail
 * server never stacks rounds). Several processes on one store each run it: incidents and messages
 * are claimed in the store, so that costs a few queries, never a second message.
 */
export class AlertTicker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly alerter: Alerter,
    private readonly logger: Logger,
  ) {}

  start(everySeconds: number): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.alerter
        .check()
        .then(
          () => undefined,
          (e) => this.logger.error({ err: e }, 'the alert check failed'),
        )
        .finally(() => {
          this.running = undefined;
        });
    }, everySeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
