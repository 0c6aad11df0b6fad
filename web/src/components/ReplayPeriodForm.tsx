import { type FormEvent, useEffect, useState } from 'react';
import { api, messageOf } from '../api';
import { formatCount, formatTime } from '../format';
import { usePermission } from '../session';
import { Button, Done, ErrorText } from './Controls';

type Field = 'connection' | 'from' | 'to';
const TITLES: Record<Field, string> = { connection: 'Connection', from: 'From', to: 'To' };

/** A datetime-local value ("2026-12-05T08:00", the browser's time zone) as an instant the API takes. */
function instant(local: string): string {
  if (!local) return '';
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? local : t.toISOString();
}

/**
 * The server names the field it refuses ("body/to must be after from (…)"): the message goes under
 * that field, so the person sees which input to change.
 */
function fieldOf(message: string): { field: Field; reason: string } | null {
  const m = /^body\/(connection|from|to)\s+(.*)$/s.exec(message);
  return m ? { field: m[1] as Field, reason: m[2]! } : null;
}

/**
 * An operator's "Replay a period": every verified delivery a connection received in [from, to) goes
 * back in the queue and is processed again, its records re-read from the source — unchanged ones
 * write nothing, ones the target lost are written again.
 */
export function ReplayPeriodForm({
  connections,
  defaultConnection,
  onReplayed,
}: {
  connections: string[];
  defaultConnection: string;
  onReplayed: () => void;
}) {
  const denied = usePermission().why('operator');
  const [connection, setConnection] = useState(defaultConnection);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<{ field: Field | null; message: string } | null>(null);
  useEffect(() => {
    if (defaultConnection) setConnection(defaultConnection);
  }, [defaultConnection]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    setError(null);
    setBusy(true);
    try {
      const r = await api.replayPeriod({ connection, from: instant(from), to: instant(to) });
      onReplayed();
      setDone(
        r.deliveries
          ? `Requeued ${formatCount(r.deliveries)} deliver${r.deliveries === 1 ? 'y' : 'ies'} of ${r.connection} received ${formatTime(r.from)} – ${formatTime(r.to)}; their records are read again from the source${r.relinked ? ` (${formatCount(r.relinked)} the target had lost are written again)` : ''}.`
          : `No verified deliveries of ${r.connection} were received ${formatTime(r.from)} – ${formatTime(r.to)}: nothing requeued.`,
      );
    } catch (err) {
      const message = messageOf(err);
      const named = fieldOf(message);
      setError(
        named
          ? { field: named.field, message: `${TITLES[named.field]}: ${named.reason}` }
          : { field: null, message },
      );
    } finally {
      setBusy(false);
    }
  };

  const invalid = (f: Field) =>
    error?.field === f ? { 'aria-invalid': true, 'aria-describedby': `replay-${f}-error` } : {};
  const fieldError = (f: Field) =>
    error?.field === f ? (
      <span className="error field-error" id={`replay-${f}-error`} role="alert">
        {error.message}
      </span>
    ) : null;

  return (
    <form className="panel inline-form replay-form" aria-label="Replay a period" onSubmit={submit} noValidate>
      <h3>Replay a period</h3>
      <p className="hint">
        Every verified delivery the connection received from From up to To is processed again: its records are
        read again from the source, so those that did not change write nothing and those the target lost are
        written again.
      </p>
      <span className="replay-field">
        <label htmlFor="replay-connection">Connection</label>
        <select
          id="replay-connection"
          value={connection}
          onChange={(e) => setConnection(e.target.value)}
          {...invalid('connection')}
        >
          <option value="">Choose a connection</option>
          {connections.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        {fieldError('connection')}
      </span>
      <span className="replay-field">
        <label htmlFor="replay-from">From</label>
        <input
          type="datetime-local"
          step={1}
          id="replay-from"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          {...invalid('from')}
        />
        {fieldError('from')}
      </span>
      <span className="replay-field">
        <label htmlFor="replay-to">To</label>
        <input
          type="datetime-local"
          step={1}
          id="replay-to"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          {...invalid('to')}
        />
        {fieldError('to')}
      </span>
      <Button type="submit" variant="primary" need="operator" busy={busy}>
        Replay period
      </Button>
      {denied ? <span className="hint">{denied}</span> : null}
      {error && !error.field ? <ErrorText>{error.message}</ErrorText> : null}
      <Done>{done}</Done>
    </form>
  );
}
