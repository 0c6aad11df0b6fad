import { useState } from 'react';
import { api, isApiError, type SyncRecord } from '../api';
import { useAction } from '../hooks';
import { Button, Done, ErrorText } from './Controls';
import { Time } from './Time';

/** What retry answers, in a sentence: the engine returns each record's outcome. */
function describeRetry(results: unknown): string {
  const list = Array.isArray(results) ? results : [];
  // The flow was running: the retry waits for the run to end, and says so.
  const queued = list.find((r) => (r as { status?: string }).status === 'queued') as
    | { message?: string }
    | undefined;
  if (queued?.message) return `Queued: ${queued.message}.`;
  const outcomes = list.flatMap((r) => {
    const o = (r as { outcomes?: unknown[]; status?: string }).outcomes;
    return Array.isArray(o) ? o : [r];
  }) as { status?: string; reason?: string; error?: { message?: string } }[];
  const first = outcomes[0];
  if (!first?.status) return 'Retried.';
  const why = first.reason ?? first.error?.message;
  return `Retried: ${first.status}${why ? ` — ${why}` : ''}.`;
}

/**
 * The actions a person takes on one sync record: Retry ("sync refresh"), Skip, Mark as processed, and
 * Edit data (the canonical record as JSON, validated by the server) followed by a retry. A person's
 * skip is sticky (it outlives unchanged deliveries of the record), so it says who and why, and
 * Un-skip takes it back.
 */
export function RecordActions({ record, onChanged }: { record: SyncRecord; onChanged: () => void }) {
  const action = useAction();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [editError, setEditError] = useState<string | null>(null);
  const [skipReason, setSkipReason] = useState('');
  const [saving, setSaving] = useState(false);

  const act = (work: () => Promise<string>) =>
    action.run(async () => {
      const m = await work();
      onChanged();
      return m;
    });

  const startEdit = () => {
    setText(JSON.stringify(record.data ?? {}, null, 2));
    setEditError(null);
    setEditing(true);
  };

  const save = async (thenRetry: boolean) => {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      setEditError(`This is not valid JSON: ${(e as Error).message}`);
      return;
    }
    setSaving(true);
    setEditError(null);
    try {
      await api.editData(record.id, data);
    } catch (e) {
      setEditError(isApiError(e) || e instanceof Error ? e.message : String(e));
      setSaving(false);
      return;
    }
    setSaving(false);
    setEditing(false);
    if (thenRetry) await act(async () => `Saved. ${describeRetry((await api.retry(record.id)).results)}`);
    else await act(async () => 'Saved; press Retry to send it.');
  };

  return (
    <div className="record-actions">
      {record.skipped_by ? (
        <div className="skip-mark" role="note" aria-label="Skipped by a person">
          <p>
            Skipped by <strong>{record.skipped_by}</strong>
            {record.skipped_at ? (
              <>
                {' '}
                <Time iso={record.skipped_at} />
              </>
            ) : null}
            {record.skip_reason ? (
              <>
                : <q>{record.skip_reason}</q>
              </>
            ) : (
              ' (no reason given)'
            )}
            . It stays skipped while the source sends it unchanged; it goes again when it changes or is
            un-skipped.
          </p>
          <Button
            need="operator"
            busy={action.pending}
            onClick={() =>
              act(async () => {
                await api.unskip(record.id);
                return 'Un-skipped: the record goes with the next delivery, run or retry.';
              })
            }
          >
            Un-skip
          </Button>
        </div>
      ) : null}
      <div className="actions">
        <Button
          need="operator"
          variant="primary"
          busy={action.pending}
          onClick={() => act(async () => describeRetry((await api.retry(record.id)).results))}
        >
          Retry
        </Button>
        <Button
          need="operator"
          busy={action.pending}
          onClick={() =>
            act(async () => {
              await api.markProcessed(record.id);
              return 'Marked as processed.';
            })
          }
        >
          Mark as processed
        </Button>
        <Button need="operator" onClick={startEdit} disabled={editing}>
          Edit data
        </Button>
      </div>
      <div className="actions">
        <label className="inline" htmlFor={`skip-${record.id}`}>
          Skip reason (optional)
        </label>
        <input
          id={`skip-${record.id}`}
          value={skipReason}
          onChange={(e) => setSkipReason(e.target.value)}
          placeholder="why this record should not sync"
        />
        <Button
          need="operator"
          busy={action.pending}
          onClick={() =>
            act(async () => {
              await api.skip(record.id, skipReason.trim() || undefined);
              return 'Skipped.';
            })
          }
        >
          Skip
        </Button>
      </div>
      <ErrorText>{action.error}</ErrorText>
      <Done>{action.done}</Done>
      {editing ? (
        <div className="editor">
          <label htmlFor={`data-${record.id}`}>Record data (JSON)</label>
          <textarea
            id={`data-${record.id}`}
            className="code"
            rows={18}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <p className="hint">
            The canonical record the next retry writes instead of reading the source again. The server checks
            it before saving.
          </p>
          <ErrorText>{editError}</ErrorText>
          <div className="actions">
            <Button need="operator" variant="primary" busy={saving} onClick={() => void save(true)}>
              Save and retry
            </Button>
            <Button need="operator" busy={saving} onClick={() => void save(false)}>
              Save
            </Button>
            <Button onClick={() => setEditing(false)}>Cancel</Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
