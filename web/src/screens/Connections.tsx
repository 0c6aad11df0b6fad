import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, type Check, type Connection, type ConnectionField, isApiError, messageOf } from '../api';
import { Badge } from '../components/Badge';
import { Button, Done, ErrorText } from '../components/Controls';
import { useAction, useData } from '../hooks';
import { useLocation } from '../router';
import { usePermission } from '../session';

/** What the OAuth callback said when it sent the browser back here (?connection=…&authorization=ok|failed&reason=…). */
interface AuthorizationOutcome {
  ok: boolean;
  reason?: string;
}

function outcomeFor(search: URLSearchParams, name: string): AuthorizationOutcome | undefined {
  const result = search.get('authorization');
  if (search.get('connection') !== name || (result !== 'ok' && result !== 'failed')) return undefined;
  return result === 'ok' ? { ok: true } : { ok: false, reason: search.get('reason') ?? 'unknown reason' };
}

export function ConnectionsScreen() {
  const list = useData(() => api.connections(), []);
  const { search } = useLocation();
  return (
    <section>
      <div className="title-row">
        <h1>Connections</h1>
        <p className="muted">
          The systems Ledgerlink talks to. Secrets are never shown: a secret field only says whether it is
          set, and is replaced only when you type a new one.
        </p>
      </div>
      <ErrorText>{list.error}</ErrorText>
      {list.data?.connections.map((c) => (
        <ConnectionCard
          key={c.name}
          connection={c}
          onSaved={list.reload}
          authorized={outcomeFor(search, c.name)}
        />
      ))}
    </section>
  );
}

type Values = Record<string, string | boolean>;

function initialValues(c: Connection): Values {
  const v: Values = {};
  for (const f of c.fields) {
    if (f.type === 'secret') v[f.name] = '';
    else {
      const current = c.settings[f.name] ?? f.default;
      v[f.name] =
        f.type === 'boolean'
          ? current === true || current === 'true'
          : current == null
            ? ''
            : String(current);
    }
  }
  return v;
}

/** A field shows when its `when` conditions hold on the values in the form (OAuth fields under oauth2). */
function shown(f: ConnectionField, values: Values): boolean {
  if (!f.when) return true;
  const conds = Array.isArray(f.when) ? f.when : [f.when];
  return conds.some((c) => c.equals.includes(String(values[c.field] ?? '')));
}

function ConnectionCard({
  connection: c,
  onSaved,
  authorized,
}: {
  connection: Connection;
  onSaved: () => void;
  /** The outcome of an authorization this browser just came back from. */
  authorized?: AuthorizationOutcome | undefined;
}) {
  const { canAdmin } = usePermission();
  const authorize = useAction();
  const card = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Values>(() => initialValues(c));
  const [problems, setProblems] = useState<string[]>([]);
  const save = useAction();
  const test = useAction();
  const [checks, setChecks] = useState<{ ok: boolean; checks: Check[] } | null>(null);
  const set = (name: string, v: string | boolean) => setValues((s) => ({ ...s, [name]: v }));
  // A saved secret goes only where it was saved for: a new address asks for each one again.
  const initial = initialValues(c);
  const moved = c.fields.some((f) => f.type === 'url' && values[f.name] !== initial[f.name]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblems([]);
    void save.run(async () => {
      // Only what changed is sent, so settings left alone (and their defaults) stay as the file has them.
      const before = initialValues(c);
      const settings: Record<string, string | number | boolean | null> = {};
      for (const f of c.fields) {
        const v = values[f.name];
        if (f.type === 'secret') {
          if (typeof v === 'string' && v !== '') settings[f.name] = v; // empty: keep the current secret
          continue;
        }
        if (v === before[f.name]) continue;
        if (f.type === 'boolean') settings[f.name] = v === true;
        else if (f.type === 'integer') settings[f.name] = v === '' ? null : Number(v);
        else settings[f.name] = v === '' ? null : String(v);
      }
      if (Object.keys(settings).length === 0) return 'Nothing changed.';
      try {
        await api.saveConnection(c.name, settings);
      } catch (err) {
        if (isApiError(err) && err.problems.length) setProblems(err.problems);
        throw err;
      }
      setValues((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, isSecret(c, k) ? '' : v])));
      onSaved();
      return 'Saved. The connection uses the new settings from now on.';
    });
  };

  const runTest = () =>
    test.run(async () => {
      setChecks(null);
      try {
        const r = await api.checkConnection(c.name);
        setChecks(r);
        return r.ok ? 'Every check passed.' : undefined;
      } catch (err) {
        throw new Error(messageOf(err));
      }
    });

  // The system's consent page lives elsewhere: the whole window goes there, and comes back to
  // /oauth/callback, which sends it here with the outcome.
  const startAuthorization = () =>
    authorize.run(async () => {
      const { authorizeUrl } = await api.authorizeConnection(c.name);
      window.location.assign(authorizeUrl);
      return 'Opening the sign-in page…';
    });

  // Back from the consent page: show the outcome, and what the connection now says about its token.
  const ran = useRef(false);
  useEffect(() => {
    if (!authorized || ran.current) return;
    ran.current = true;
    card.current?.scrollIntoView({ block: 'start' });
    if (authorized.ok) void runTest();
  });

  return (
    <form
      ref={card}
      className="panel connection"
      aria-label={`Connection ${c.name}`}
      onSubmit={submit}
      noValidate
    >
      <div className="panel-head">
        <h2>
          {c.name} <span className="muted">· {c.title}</span>
        </h2>
        <div className="actions">
          {c.authorization ? (
            <Button
              need="admin"
              busy={authorize.pending}
              title="Sign in to the system and grant Ledgerlink access; it comes back here"
              onClick={() => void startAuthorization()}
            >
              Authorize…
            </Button>
          ) : null}
          <Button need="operator" busy={test.pending} onClick={() => void runTest()}>
            Test connection
          </Button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={!canAdmin || save.pending}
            title={canAdmin ? undefined : 'Only an admin can change this.'}
          >
            Save
          </button>
        </div>
      </div>
      <div className="fields">
        {c.fields
          .filter((f) => shown(f, values))
          .map((f) => (
            <FieldInput
              key={f.name}
              connection={c.name}
              field={f}
              value={values[f.name] ?? ''}
              isSet={c.settings[f.name] !== null && c.settings[f.name] !== undefined}
              retype={moved && f.type === 'secret' && !f.inbound}
              disabled={!canAdmin}
              onChange={(v) => set(f.name, v)}
            />
          ))}
      </div>
      <ErrorText>{save.error}</ErrorText>
      {problems.length > 1 ? (
        <ul className="problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <Done>{save.done}</Done>
      {authorized?.ok ? (
        <Done>Authorized: Ledgerlink keeps the grant (encrypted) and renews its token by itself.</Done>
      ) : authorized ? (
        <ErrorText>{`The authorization did not complete: ${authorized.reason}`}</ErrorText>
      ) : null}
      <ErrorText>{authorize.error}</ErrorText>
      <ErrorText>{test.error}</ErrorText>
      <Done>{test.done}</Done>
      {checks ? (
        <ul className="checks-list" aria-label={`Diagnostics of ${c.name}`}>
          {checks.checks.map((k) => (
            <li key={k.name}>
              <Badge status={k.ok ? 'ok' : 'failed'} label={k.ok ? 'ok' : 'failed'} />{' '}
              <strong>{k.name}</strong> <span>{k.message}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

const isSecret = (c: Connection, name: string) =>
  c.fields.some((f) => f.name === name && f.type === 'secret');

function FieldInput({
  connection,
  field: f,
  value,
  isSet,
  retype,
  disabled,
  onChange,
}: {
  connection: string;
  field: ConnectionField;
  value: string | boolean;
  isSet: boolean;
  /** The address changes: a set secret must be typed again. */
  retype: boolean;
  disabled: boolean;
  onChange: (v: string | boolean) => void;
}) {
  const id = `conn-${connection}-${f.name}`;
  const help = f.description ? <p className="hint">{f.description}</p> : null;
  if (f.type === 'boolean') {
    return (
      <div className="field">
        <label className="check" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            disabled={disabled}
            onChange={(e) => onChange(e.target.checked)}
          />
          {f.title}
        </label>
        {help}
      </div>
    );
  }
  if (f.type === 'secret') {
    return (
      <div className="field">
        <span className="field-title">
          {f.title} <Badge status={isSet ? 'ok' : 'skipped'} label={isSet ? 'set' : 'not set'} />
        </span>
        <label htmlFor={id}>Replace {f.title}</label>
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          placeholder={
            isSet && retype
              ? 'type it again: the address changes'
              : isSet
                ? 'leave empty to keep the current value'
                : 'not set'
          }
          required={isSet && retype}
          value={String(value)}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
        {help}
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {f.title}
        {f.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {f.type === 'enum' ? (
        <select id={id} value={String(value)} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          {f.required ? null : <option value="">(none)</option>}
          {f.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : String(value).includes('\n') ? (
        // Keys and certificates (PEM) run over several lines.
        <textarea
          id={id}
          className="code"
          rows={4}
          value={String(value)}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input
          id={id}
          type={f.type === 'integer' ? 'number' : f.type === 'url' ? 'url' : 'text'}
          value={String(value)}
          required={f.required}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {help}
    </div>
  );
}
