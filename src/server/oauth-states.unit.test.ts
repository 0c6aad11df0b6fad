import { describe, expect, it } from 'vitest';
import { OAuthStates, STATE_TTL_MS } from './oauth-states.js';

const pending = { connection: 'qbo', username: 'anna', redirectUri: 'http://127.0.0.1:3000/oauth/callback' };

describe('OAuth states of dashboard authorizations', () => {
  it('a state is taken once: the second time it was used', () => {
    const states = new OAuthStates();
    const { state } = states.start(pending);
    expect(states.take(state)).toEqual({ ok: true, pending: expect.objectContaining(pending) });
    expect(states.take(state)).toEqual({ ok: false, why: 'used' });
  });

  it('a state older than 10 minutes has expired, and says so for a while after', () => {
    let now = 1_000_000;
    const states = new OAuthStates(() => now);
    const late = states.start(pending).state;
    const later = states.start(pending).state;
    now += STATE_TTL_MS;
    expect(states.take(late)).toEqual({ ok: false, why: 'expired' });
    states.start(pending); // sweeps: the expired one is still remembered as expired
    expect(states.take(later)).toEqual({ ok: false, why: 'expired' });
  });

  it('a state nobody started, or none, is unknown', () => {
    const states = new OAuthStates();
    states.start(pending);
    expect(states.take('made-up')).toEqual({ ok: false, why: 'unknown' });
    expect(states.take(undefined)).toEqual({ ok: false, why: 'unknown' });
  });

  it('each state is fresh and long enough not to be guessed', () => {
    const states = new OAuthStates();
    const a = states.start(pending).state;
    const b = states.start(pending).state;
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
  });
});
