import { type FormEvent, useState } from 'react';
import { api, messageOf, setCsrfToken, type User } from '../api';
import { Button, ErrorText } from '../components/Controls';
import { useSession } from '../session';

export function LoginScreen({ onSignedIn }: { onSignedIn: (user: User, csrf: string | undefined) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      const r = await api.login(username, password);
      onSignedIn(r.user, r.csrfToken);
    } catch (err) {
      setError(messageOf(err));
      setPending(false);
    }
  };
  return (
    <main className="login">
      <form className="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Ledgerlink</h1>
        <p className="muted">Sign in to the connector dashboard.</p>
        <label htmlFor="login-username">Username</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorText>{error}</ErrorText>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          Log in
        </button>
      </form>
    </main>
  );
}

/** A person whose password must change (first login, or reset by an admin) does this before anything else. */
export function ChangePasswordScreen() {
  const { session, refresh, logout } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== again) {
      setError('The new password and its repetition differ.');
      return;
    }
    setPending(true);
    setError(null);
    try {
      const r = await api.changePassword(current, next);
      if (r?.csrfToken) setCsrfToken(r.csrfToken);
      await refresh();
    } catch (err) {
      setError(messageOf(err));
      setPending(false);
    }
  };
  return (
    <main className="login">
      <form className="card" onSubmit={submit} aria-labelledby="pw-title">
        <h1 id="pw-title">Choose a new password</h1>
        <p className="muted">{session.user.username}, your password must be changed before you go on.</p>
        <label htmlFor="pw-current">Current password</label>
        <input
          id="pw-current"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <label htmlFor="pw-next">New password</label>
        <input
          id="pw-next"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <label htmlFor="pw-again">Repeat the new password</label>
        <input
          id="pw-again"
          type="password"
          autoComplete="new-password"
          required
          value={again}
          onChange={(e) => setAgain(e.target.value)}
        />
        <ErrorText>{error}</ErrorText>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={pending}>
            Change password
          </button>
          <Button onClick={logout}>Log out</Button>
        </div>
      </form>
    </main>
  );
}
