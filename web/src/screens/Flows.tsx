import { type FormEvent, useEffect, useState } from 'react';
import { entityTitle } from '../App';
import { api, type Condition, type Flow, type FlowUpdate, isApiError, type ValueMapRow } from '../api';
import { Badge } from '../components/Badge';
import { Button, Done, ErrorText } from '../components/Controls';
import { Time } from '../components/Time';
import { humanize } from '../format';
import { useAction, useData } from '../hooks';
import { Link } from '../router';
import { useFlows, usePermission } from '../session';

const enc = encodeURIComponent;

/** The seeds' sync modes, in their words. */
export const SYNC_MODES: [string, string, string][] = [
  [
    'realtime',
    'Real time',
    'as changes happen, through webhooks (the schedule is the polling pass behind them)',
  ],
  ['shift-close', 'At shift closing', 'when a register shift closes (a point-of-sale event)'],
  ['scheduled', 'At scheduled hours', 'at the hours the schedule names'],
  ['manual', 'Manual', 'only when someone processes a batch'],
];
const modeTitle = (m: string | undefined) =>
  SYNC_MODES.find(([k]) => k === m)?.[1] ?? (m ? humanize(m) : '—');

export function FlowsScreen() {
  const { flows, error } = useFlows();
  return (
    <section>
      <div className="title-row">
        <h1>Flows</h1>
        <p className="muted">Each flow moves one entity from one connection to another.</p>
      </div>
      <ErrorText>{error}</ErrorText>
      <div className="table-wrap">
        <table className="grid" aria-label="Flows">
          <thead>
            <tr>
              <th scope="col">Flow</th>
              <th scope="col">Direction</th>
              <th scope="col">Entity</th>
              <th scope="col">Enabled</th>
              <th scope="col">Sync mode</th>
              <th scope="col">Schedule</th>
              <th scope="col">Records</th>
              <th scope="col">Last run</th>
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.name}>
                <td>
                  <Link to={`/flows/${enc(f.name)}`}>{f.name}</Link>
                </td>
                <td>
                  {f.source} → {f.target}
                </td>
                <td>{entityTitle(f.entity)}</td>
                <td>{f.enabled ? 'yes' : 'no'}</td>
                <td>{modeTitle(f.syncMode)}</td>
                <td>{f.schedule ? <code>{f.schedule}</code> : <span className="muted">none</span>}</td>
                <td className="states">
                  {Object.entries(f.states).map(([s, n]) => (
                    <Link key={s} to={`/records?flow=${enc(f.name)}&state=${s}`} className="state-link">
                      <Badge status={s} label={`${s} ${n}`} />
                    </Link>
                  ))}
                </td>
                <td>
                  {f.lastRun ? (
                    <>
                      <Badge status={f.lastRun.status} /> <Time iso={f.lastRun.startedAt} relative />
                    </>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ValueMapsPanel />
    </section>
  );
}

/** Every value map, one editor each. */
function ValueMapsPanel() {
  const maps = useData(() => api.valueMaps(), []);
  const conns = useData(() => api.connections(), []);
  const names = conns.data?.connections.map((c) => c.name) ?? [];
  return (
    <section className="panel" aria-labelledby="maps-title">
      <h2 id="maps-title">Value maps</h2>
      <p className="muted">
        Codes that differ between systems (shipping methods, payment methods, order types, tax classes): each
        row names the same thing on each connection. A saved code is checked against the codes its system
        lists, where its API can list them.
      </p>
      <ErrorText>{maps.error}</ErrorText>
      {maps.data && Object.keys(maps.data.maps).length === 0 ? <p className="muted">No value maps.</p> : null}
      {maps.data
        ? Object.entries(maps.data.maps).map(([name, rows]) => (
            <ValueMapEditor
              key={name}
              name={name}
              rows={rows}
              connections={maps.data?.columns?.[name] ?? names}
              onSaved={maps.reload}
            />
          ))
        : null}
    </section>
  );
}

export function ValueMapEditor({
  name,
  rows: initial,
  connections,
  onSaved,
}: {
  name: string;
  rows: ValueMapRow[];
  connections: string[];
  onSaved: () => void;
}) {
  const { canAdmin } = usePermission();
  const [rows, setRows] = useState<ValueMapRow[]>(() => initial.map((r) => ({ ...r })));
  const save = useAction();
  const columns = [...new Set([...connections, ...initial.flatMap((r) => Object.keys(r))])];
  const setCell = (i: number, conn: string, v: string) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [conn]: v } : r)));
  const [problems, setProblems] = useState<string[]>([]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblems([]);
    void save.run(async () => {
      const clean = rows
        .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v.trim() !== '')))
        .filter((r) => Object.keys(r).length > 0);
      let saved: Awaited<ReturnType<typeof api.saveValueMap>>;
      try {
        saved = await api.saveValueMap(name, clean);
      } catch (err) {
        if (isApiError(err) && err.problems.length) setProblems(err.problems);
        throw err;
      }
      setRows(saved.rows.map((r) => ({ ...r })));
      onSaved();
      const checked = saved.checked.length ? ` Checked: ${saved.checked.join('; ')}.` : '';
      const unchecked = saved.unchecked.length ? ` Not checked: ${saved.unchecked.join('; ')}.` : '';
      return `Saved ${name}: ${saved.rows.length} row${saved.rows.length === 1 ? '' : 's'}.${checked}${unchecked}`;
    });
  };
  return (
    <form className="value-map" aria-label={`Value map ${name}`} onSubmit={submit}>
      <h3>{name}</h3>
      <table className="grid compact">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position while edited
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>
                  <input
                    aria-label={`${name} row ${i + 1} ${c}`}
                    value={r[c] ?? ''}
                    disabled={!canAdmin}
                    onChange={(e) => setCell(i, c, e.target.value)}
                  />
                </td>
              ))}
              <td>
                <Button
                  need="admin"
                  variant="plain"
                  aria-label={`Remove ${name} row ${i + 1}`}
                  onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                >
                  Remove
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <Button need="admin" onClick={() => setRows((rs) => [...rs, {}])}>
          Add row
        </Button>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!canAdmin || save.pending}
          title={canAdmin ? undefined : 'Only an admin can change this.'}
        >
          Save value map
        </button>
      </div>
      {problems.length > 1 ? (
        <ul className="problems" aria-label={`Problems with ${name}`}>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : (
        <ErrorText>{save.error}</ErrorText>
      )}
      <Done>{save.done}</Done>
    </form>
  );
}

export function FlowDetailScreen({ name }: { name: string }) {
  const flow = useData(
    () =>
      api.flow(name).catch((e: unknown) => {
        if (isApiError(e) && e.status === 404) return null;
        throw e;
      }),
    [name],
  );
  const maps = useData(() => api.valueMaps(), []);
  const { reload: reloadFlows } = useFlows();
  if (flow.error) return <ErrorText>{flow.error}</ErrorText>;
  if (!flow.data) {
    return flow.loading ? (
      <p className="muted">Loading…</p>
    ) : (
      <section>
        <h1>Flow</h1>
        <p>
          There is no flow named <code>{name}</code>. <Link to="/flows">See the flows</Link>.
        </p>
      </section>
    );
  }
  const f = flow.data;
  const used = Object.entries(f.valueMaps ?? {});
  return (
    <section>
      <div className="title-row">
        <h1>
          {f.name} <span className="muted">· {entityTitle(f.entity)}</span>
        </h1>
        <p className="muted">
          {f.source} → {f.target}
          {f.description ? ` · ${f.description}` : ''} · <Link to={`/batch/${enc(f.name)}`}>Batch</Link> ·{' '}
          <Link to={`/log?flow=${enc(f.name)}`}>Log</Link> ·{' '}
          <Link to={`/records?flow=${enc(f.name)}`}>Records</Link> ·{' '}
          <Link to={`/reconcile/${enc(f.name)}`}>Reconcile</Link>
        </p>
      </div>
      <FlowForm
        flow={f}
        onSaved={() => {
          flow.reload();
          reloadFlows();
        }}
      />
      <section className="panel" aria-labelledby="flow-maps-title">
        <h2 id="flow-maps-title">Value maps this flow uses</h2>
        {used.length === 0 ? <p className="muted">None.</p> : null}
        <ErrorText>{maps.error}</ErrorText>
        {maps.data
          ? used.map(([field, map]) => (
              <div key={field}>
                <p className="muted">
                  <code>{field}</code> is translated by <strong>{map}</strong>
                </p>
                <ValueMapEditor
                  name={map}
                  rows={maps.data?.maps[map] ?? []}
                  connections={maps.data?.columns?.[map] ?? [f.source, f.target]}
                  onSaved={maps.reload}
                />
              </div>
            ))
          : null}
      </section>
    </section>
  );
}

interface FormState {
  enabled: boolean;
  syncMode: string;
  schedule: string;
  owned: string[];
  conditions: Condition[];
  idMapping: 'source' | 'target';
}

const formOf = (f: Flow): FormState => ({
  enabled: f.enabled,
  syncMode: f.syncMode ?? 'realtime',
  schedule: f.schedule ?? '',
  owned: [...f.ownedFields],
  conditions: (f.conditions ?? []).map((c) => ({ ...c })),
  idMapping: f.idMapping ?? 'target',
});

/** Only what changed goes to the server, so untouched defaults stay out of the configuration file. */
function changesOf(f: Flow, s: FormState): FlowUpdate {
  const was = formOf(f);
  const out: FlowUpdate = {};
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (s.enabled !== was.enabled) out.enabled = s.enabled;
  if (s.syncMode !== was.syncMode) out.syncMode = s.syncMode;
  if (s.schedule.trim() !== was.schedule) out.schedule = s.schedule.trim() || null;
  if (!same([...s.owned].sort(), [...was.owned].sort())) out.ownedFields = s.owned;
  const conditions = s.conditions.map((c) => ({
    name: c.name.trim(),
    expression: c.expression.trim(),
    ...(c.explain?.trim() ? { explain: c.explain.trim() } : {}),
  }));
  if (!same(conditions, was.conditions)) out.conditions = conditions;
  if (s.idMapping !== was.idMapping) out.idMapping = s.idMapping;
  return out;
}

function FlowForm({ flow: f, onSaved }: { flow: Flow; onSaved: () => void }) {
  const { canAdmin } = usePermission();
  const [s, setS] = useState<FormState>(() => formOf(f));
  const [problems, setProblems] = useState<string[]>([]);
  // After a save the server's answer is what the form shows (it may have normalised what was sent).
  useEffect(() => setS(formOf(f)), [f]);
  const save = useAction();
  const lock = !canAdmin;
  const fields = [...new Set([...(f.targetUpdatableFields ?? []), ...f.ownedFields])];
  const setCondition = (i: number, change: Partial<Condition>) =>
    setS((x) => ({ ...x, conditions: x.conditions.map((c, j) => (j === i ? { ...c, ...change } : c)) }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblems([]);
    const change = changesOf(f, s);
    if (Object.keys(change).length === 0) {
      void save.run(async () => 'Nothing changed.');
      return;
    }
    void save.run(async () => {
      let saved: Awaited<ReturnType<typeof api.updateFlow>>;
      try {
        saved = await api.updateFlow(f.name, change);
      } catch (err) {
        if (isApiError(err) && err.problems.length) setProblems(err.problems);
        throw err;
      }
      onSaved();
      return saved.notice
        ? `Saved, but ${saved.notice}.`
        : 'Saved. The flow runs with these settings from now on.';
    });
  };

  return (
    <form className="panel flow-form" aria-label={`Settings of ${f.name}`} onSubmit={submit}>
      <div className="panel-head">
        <h2>Settings</h2>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={lock || save.pending}
          title={lock ? 'Only an admin can change this.' : undefined}
        >
          Save
        </button>
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

      <label className="check">
        <input
          type="checkbox"
          checked={s.enabled}
          disabled={lock}
          onChange={(e) => setS((x) => ({ ...x, enabled: e.target.checked }))}
        />
        Enabled
      </label>

      <fieldset>
        <legend>Sync mode</legend>
        {SYNC_MODES.map(([value, title, hint]) => (
          <label key={value} className="check">
            <input
              type="radio"
              name="syncMode"
              value={value}
              checked={s.syncMode === value}
              disabled={lock}
              onChange={() => setS((x) => ({ ...x, syncMode: value }))}
            />
            {title} <span className="muted">— {hint}</span>
          </label>
        ))}
      </fieldset>

      <div className="field">
        <label htmlFor="flow-schedule">Schedule (cron)</label>
        <input
          id="flow-schedule"
          value={s.schedule}
          disabled={lock}
          placeholder="e.g. 0 13,22 * * * for 13:00 and 22:00; empty for none"
          onChange={(e) => setS((x) => ({ ...x, schedule: e.target.value }))}
        />
        <p className="hint">Minute, hour, day of month, month, day of week. Empty: no schedule.</p>
      </div>

      <fieldset>
        <legend>Update policy: fields this flow updates on records that already exist</legend>
        {fields.length === 0 ? (
          <p className="muted">
            The target takes no updates of {entityTitle(f.entity).toLowerCase()} records.
          </p>
        ) : null}
        <div className="check-grid">
          {fields.map((field) => (
            <label key={field} className="check">
              <input
                type="checkbox"
                checked={s.owned.includes(field)}
                disabled={lock}
                onChange={(e) =>
                  setS((x) => ({
                    ...x,
                    owned: e.target.checked ? [...x.owned, field] : x.owned.filter((o) => o !== field),
                  }))
                }
              />
              {field}
            </label>
          ))}
        </div>
        <p className="hint">
          Every other field is written when the record is created and never touched again.
        </p>
      </fieldset>

      <fieldset>
        <legend>Sync preferences</legend>
        <p className="hint">
          A record goes through when any of them holds (JSONata over the record); with none, every record
          does. "Explain" says why one is false, in the log.
        </p>
        {s.conditions.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: preferences are edited in place; their position is their identity
          <div key={i} className="condition">
            <label>
              Name
              <input
                value={c.name}
                disabled={lock}
                onChange={(e) => setCondition(i, { name: e.target.value })}
                aria-label={`Sync preference ${i + 1} name`}
              />
            </label>
            <label>
              Expression
              <textarea
                className="code"
                rows={2}
                value={c.expression}
                disabled={lock}
                onChange={(e) => setCondition(i, { expression: e.target.value })}
                aria-label={`Sync preference ${i + 1} expression`}
              />
            </label>
            <label>
              Explain (optional)
              <textarea
                className="code"
                rows={2}
                value={c.explain ?? ''}
                disabled={lock}
                onChange={(e) => setCondition(i, { explain: e.target.value })}
                aria-label={`Sync preference ${i + 1} explain`}
              />
            </label>
            <Button
              need="admin"
              variant="plain"
              onClick={() => setS((x) => ({ ...x, conditions: x.conditions.filter((_, j) => j !== i) }))}
              aria-label={`Remove sync preference ${i + 1}`}
            >
              Remove
            </Button>
          </div>
        ))}
        <Button
          need="admin"
          onClick={() => setS((x) => ({ ...x, conditions: [...x.conditions, { name: '', expression: '' }] }))}
        >
          Add sync preference
        </Button>
      </fieldset>

      <label className="check">
        <input
          type="checkbox"
          checked={s.idMapping === 'source'}
          disabled={lock}
          onChange={(e) => setS((x) => ({ ...x, idMapping: e.target.checked ? 'source' : 'target' }))}
        />
        Use the source's id as the target's id
        <span className="muted"> (otherwise {f.target} numbers new records itself)</span>
      </label>
    </form>
  );
}
