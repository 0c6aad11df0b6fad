import { randomBytes } from 'node:crypto';

/** How long a started authorization waits for the person to come back from the consent page. */
export const STATE_TTL_MS = 10 * 60_000;
/** Started and not yet finished at once; more means something is starting them in a loop. */
const MAX_PENDING = 1_000;

/** An authorization a person started from the dashboard, waiting for the system's redirect. */
export interface PendingAuthorization {
  connection: string;
  /** Who started it (the log names them; a callback with another user's session is refused). */
  username: string;
  /** The exact redirect URI sent to the system: the token request must repeat it. */
  redirectUri: string;
  expiresAt: number;
}

export type Taken =
  | { ok: true; pending: PendingAuthorization }
  | { ok: false; why: 'unknown' | 'expired' | 'used' };

/**
 * The `state` of each authorization-code grant started from the dashboard: random, single-use, ten
 * minutes. Kept in this process's memory: the embedded server is one process, and a restart only
 * means starting the authorization again. (Several API processes behind one address would need the
 * callback to reach the process that started it.) Used states are remembered until they would have
 * expired, so a replayed callback is told it was used rather than that it is unknown.
 */
export class OAuthStates {
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly used = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = STATE_TTL_MS,
  ) {}

  start(p: Omit<PendingAuthorization, 'expiresAt'>): { state: string; expiresAt: number } {
    this.sweep();
    if (this.pending.size >= MAX_PENDING) {
      // The oldest gives way: a flood of starts must not grow memory, and a person's own is the newest.
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    const state = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.pending.set(state, { ...p, expiresAt });
    return { state, expiresAt };
  }

  /** The authorization a state belongs to, consumed: a second call with the same state is 'used'. */
  take(state: string | undefined): Taken {
    if (!state) return { ok: false, why: 'unknown' };
    if (this.used.has(state)) return { ok: false, why: 'used' };
    const p = this.pending.get(state);
    if (!p) return { ok: false, why: 'unknown' };
    this.pending.delete(state);
    if (p.expiresAt <= this.now()) return { ok: false, why: 'expired' };
    this.used.set(state, p.expiresAt);
    return { ok: true, pending: p };
  }

  private sweep(): void {
    const now = this.now();
    // An expired state is kept one more period, so its late callback hears "expired", not "unknown".
    for (const [k, p] of this.pending) if (p.expiresAt + this.ttlMs <= now) this.pending.delete(k);
    for (const [k, until] of this.used) if (until <= now) this.used.delete(k);
  }
}
