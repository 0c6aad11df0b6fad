import { type FormEvent, useState } from 'react';
import { api, type Role, type TokenRow, type UserRow } from '../api';
import { Button, ConfirmButton, Done, ErrorText } from '../components/Controls';
import { Time } from '../components/Time';
import { useAction, useData } from '../hooks';
import { usePermission, useSession } from '../session';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const ROLE_HINT: Record<Role, string> = {
  viewer: 'looks at everything, changes nothing',
  operator: 'also runs batches and acts on records',
  admin: 'also changes connections, flows, value maps and users',
};

export function SettingsScreen() {
  const { canAdmin } = usePermission();
  return (
    <section>
      <div className="title-row">
        <h1>Settings</h1>
      </div>
      {canAdmin ? (
        <Users />
      ) : (
        <p className="muted">Only an admin manages users. You can manage your API tokens below.</p>
      )}
      <Tokens />
    </section>
  );
}

function Users() {
  const list = useData(() => api.users(), []);
  const action = useAction();
  const { session } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [resetFor, setResetFor] = useState<string | null>(null);
  const [resetTo, setResetTo] = useState('');

  const add = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      await api.addUser({ username: username.trim(), password, role });
      list.reload();
      const m = `Added ${username.trim()} as ${role}; they choose their own password at their first login.`;
      setUsername('');
      setPassword('');
      return m;
    });
  };

  const changeRole = (u: UserRow, next: Role) =>
    action.run(async () => {
      await api.updateUser(u.username, { role: next });
      list.reload();
      return `${u.username} is now ${next}.`;
    });

  const reset = (e: FormEvent) => {
    e.preventDefault();
    const who = resetFor;
    if (!who) return;
    void action.run(async () => {
      await api.updateUser(who, { password: resetTo });
      setResetFor(null);
      setResetTo('');
      list.reload();
      return `New password set for ${who}; they must change it at their next login.`;
    });
  };

  const remove = (u: UserRow) =>
    action.run(async () => {
      await api.removeUser(u.username);
      list.reload();
      return `Removed ${u.username}.`;
    });

  return (
    <section className="panel" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <ErrorText>{list.error ?? action.error}</ErrorText>
      <Done>{action.done}</Done>
      <table className="grid" aria-label="Users">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Must change password</th>
            <th scope="col">Added</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.users.map((u) => (
            <tr key={u.username}>
              <td>
                {u.username}
                {u.username === session.user.username ? <span className="muted"> (you)</span> : null}
              </td>
              <td>
                <select
                  aria-label={`Role of ${u.username}`}
                  value={u.role}
                  disabled={action.pending}
                  onChange={(e) => void changeRole(u, e.target.value as Role)}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td>{u.mustChangePassword ? 'yes' : 'no'}</td>
              <td>
                <Time iso={u.createdAt ?? u.created_at} />
              </td>
              <td>
                <div className="actions">
                  <Button
                    need="admin"
                    onClick={() => setResetFor(u.username)}
                    aria-label={`Reset password of ${u.username}`}
                  >
                    Reset password
                  </Button>
                  <ConfirmButton
                    need="admin"
                    variant="danger"
                    disabled={u.username === session.user.username}
                    title={u.username === session.user.username ? 'You cannot remove yourself' : undefined}
                    aria-label={`Remove ${u.username}`}
                    confirmLabel={`Yes, remove ${u.username}`}
                    onConfirm={() => void remove(u)}
                  >
                    Remove
                  </ConfirmButton>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {resetFor ? (
        <form className="inline-form" onSubmit={reset} aria-label={`Reset password of ${resetFor}`}>
          <label htmlFor="reset-password">New password for {resetFor}</label>
          <input
            id="reset-password"
            type="password"
            autoComplete="new-password"
            required
            value={resetTo}
            onChange={(e) => setResetTo(e.target.value)}
          />
          <button type="submit" className="btn btn-primary" disabled={action.pending}>
            Set new password
          </button>
          <Button onClick={() => setResetFor(null)}>Cancel</Button>
          <p className="hint">At least 12 characters. They must change it at their next login.</p>
        </form>
      ) : null}

      <form className="inline-form" onSubmit={add} aria-label="Add a user">
        <h3>Add a user</h3>
        <label htmlFor="new-username">Username</label>
        <input id="new-username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor="new-password">Password</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <label htmlFor="new-role">Role</label>
        <select id="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r} — {ROLE_HINT[r]}
            </option>
          ))}
        </select>
        <button type="submit" className="btn btn-primary" disabled={action.pending}>
          Add user
        </button>
      </form>
    </section>
  );
}

function Tokens() {
  const { session } = useSession();
  const list = useData(() => api.tokens(), []);
  const action = useAction();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(session.user.role);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const mine = ROLES.slice(0, ROLES.indexOf(session.user.role) + 1);

  const create = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const t = await api.createToken({ name: name.trim(), role });
      setCreated({ name: t.name, token: t.token });
      setName('');
      list.reload();
      return undefined;
    });
  };

  const revoke = (t: TokenRow) =>
    action.run(async () => {
      await api.revokeToken(t.id);
      list.reload();
      return `Revoked ${t.name}.`;
    });

  return (
    <section className="panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p className="muted">
        For scripts and the CLI: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts with its
        role.
      </p>
      <ErrorText>{list.error ?? action.error}</ErrorText>
      <Done>{action.done}</Done>
      {created ? (
        <div className="token-once" role="status">
          <p>
            <strong>{created.name}</strong>: copy this token now; it is shown only once.
          </p>
          <code>{created.token}</code>{' '}
          <Button onClick={() => void navigator.clipboard?.writeText(created.token)}>Copy</Button>{' '}
          <Button onClick={() => setCreated(null)}>Done</Button>
        </div>
      ) : null}
      <table className="grid" aria-label="API tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">Role</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.tokens.length === 0 ? (
            <tr>
              <td colSpan={6} className="empty-row">
                No API tokens.
              </td>
            </tr>
          ) : null}
          {list.data?.tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.username ?? ''}</td>
              <td>{t.role}</td>
              <td>
                <Time iso={t.createdAt ?? t.created_at} />
              </td>
              <td>
                <Time iso={t.lastUsedAt ?? t.last_used_at} />
              </td>
              <td>
                <ConfirmButton
                  variant="danger"
                  aria-label={`Revoke ${t.name}`}
                  confirmLabel={`Yes, revoke ${t.name}`}
                  onConfirm={() => void revoke(t)}
                >
                  Revoke
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={create} aria-label="Create an API token">
        <h3>Create a token</h3>
        <label htmlFor="token-name">Token name</label>
        <input
          id="token-name"
          required
          value={name}
          placeholder="e.g. nightly batch script"
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor="token-role">Token role</label>
        <select id="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {mine.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="submit" className="btn btn-primary" disabled={action.pending}>
          Create token
        </button>
      </form>
    </section>
  );
}
