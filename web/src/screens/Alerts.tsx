import { useEffect, useState } from 'react';
import { type AlertIncident, type AlertRule, api } from '../api';
import { Button, Done, Empty, ErrorText } from '../components/Controls';
import { Time } from '../components/Time';
import { useAction, useData } from '../hooks';
import { Link, useQueryState } from '../router';

/**
 * Alerts: the rules with their defaults (operators change them), the channels the configuration
 * sets up, and the incidents — open first — each linking to the screen that explains it.
 */
export function AlertsScreen() {
  const [q, setQ] = useQueryState();
  const state = q.get('state') === 'resolved' ? 'resolved' : 'open';
  const rules = useData(() => api.alertRules(), []);
  const flows = useData(() => api.flows(), []);
  const connections = useData(() => api.connections(), []);
  const incidents = useData(() => api.alerts({ state, limit: 100 }), [state], 15_000);
  const test = useAction();
  const check = useAction();

  return (
    <section>
      <div className="title-row">
        <h1>Alerts</h1>
        <p className="muted">
          One message per incident on each channel, a reminder every {rules.data?.reminderHours ?? 4} h while
          it lasts, and one when it is resolved. Rules are checked every {rules.data?.checkEverySeconds ?? 60}{' '}
          s.
        </p>
      </div>

      <h2>Incidents</h2>
      <form className="panel filter-bar" aria-label="Alert filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Show
          <select
            value={state}
            onChange={(e) => setQ({ state: e.target.value === 'open' ? undefined : e.target.value })}
          >
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
        <Button
          need="operator"
          busy={check.pending}
          onClick={() =>
            check.run(async () => {
              const r = await api.checkAlerts();
              incidents.reload();
              return `Checked: ${r.open} open, ${r.opened} opened, ${r.resolved} resolved, ${r.sent} sent`;
            })
          }
        >
          Check now
        </Button>
      </form>
      <ErrorText>{incidents.error ?? check.error}</ErrorText>
      <Done>{check.done}</Done>
      {incidents.data && !incidents.data.incidents.length ? (
        <Empty>{state === 'open' ? 'Nothing is wrong right now.' : 'No incident has ended yet.'}</Empty>
      ) : (
        <IncidentTable incidents={incidents.data?.incidents ?? []} />
      )}

      <h2>Rules</h2>
      <ErrorText>{rules.error}</ErrorText>
      {rules.data ? (
        <RulesForm
          rules={rules.data.rules}
          flows={flows.data?.flows.map((f) => f.name) ?? []}
          connections={connections.data?.connections.map((c) => c.name) ?? []}
          onSaved={rules.reload}
        />
      ) : null}

      <h2>Channels</h2>
      <p className="muted">
        Set in <code>ledgerlink.yaml</code> under <code>alerts.email</code> and <code>alerts.webhook</code>.
      </p>
      {rules.data ? (
        <ul className="channels">
          <li>
            E-mail:{' '}
            {rules.data.channels.email.configured
              ? `to ${rules.data.channels.email.to?.join(', ')} through ${rules.data.channels.email.host}`
              : 'not configured'}{' '}
            {rules.data.channels.email.configured ? (
              <Button
                need="operator"
                busy={test.pending}
                onClick={() => test.run(() => api.testAlert('email').then(() => 'Test e-mail sent'))}
              >
                Send a test e-mail
              </Button>
            ) : null}
          </li>
          <li>
            Webhook:{' '}
            {rules.data.channels.webhook.configured
              ? `${rules.data.channels.webhook.format} to ${rules.data.channels.webhook.host}`
              : 'not configured'}{' '}
            {rules.data.channels.webhook.configured ? (
              <Button
                need="operator"
                busy={test.pending}
                onClick={() => test.run(() => api.testAlert('webhook').then(() => 'Test webhook sent'))}
              >
                Send a test webhook
              </Button>
            ) : null}
          </li>
        </ul>
      ) : null}
      <ErrorText>{test.error}</ErrorText>
      <Done>{test.done}</Done>
    </section>
  );
}

function IncidentTable({ incidents }: { incidents: AlertIncident[] }) {
  return (
    <table className="table" aria-label="Alert incidents">
      <thead>
        <tr>
          <th>What</th>
          <th>Since</th>
          <th>Resolved</th>
          <th>Messages</th>
          <th>Explained on</th>
        </tr>
      </thead>
      <tbody>
        {incidents.map((i) => (
          <tr key={i.id} className={i.state === 'open' ? 'row-failed' : undefined}>
            <td>
              <strong>{i.title}</strong>
              <br />
              {i.summary}
            </td>
            <td>
              <Time iso={i.since} />
            </td>
            <td>{i.resolvedAt ? <Time iso={i.resolvedAt} /> : 'open'}</td>
            <td>
              {i.deliveries.length
                ? i.deliveries.map((d) => `${d.channel} ${d.event.replace(':', ' ')}: ${d.status}`).join('; ')
                : 'none'}
            </td>
            <td>
              <Link to={i.link}>{i.link.split('?')[0]}</Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type Edit = { enabled: boolean; params: Record<string, string>; scope: string };

/** Rules about a connection rather than a flow: their scope is a connection. */
const CONNECTION_RULES = new Set(['webhook_quiet', 'credential_expiry']);

function RulesForm({
  rules,
  flows,
  connections,
  onSaved,
}: {
  rules: AlertRule[];
  flows: string[];
  connections: string[];
  onSaved: () => void;
}) {
  const [edits, setEdits] = useState<Record<string, Edit>>({});
  useEffect(() => {
    setEdits(
      Object.fromEntries(
        rules.map((r) => [
          r.kind,
          {
            enabled: r.enabled,
            params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, String(v)])),
            scope: r.scope ?? '',
          },
        ]),
      ),
    );
  }, [rules]);
  const save = useAction();
  const change = (kind: string, patch: Partial<Edit>) =>
    setEdits((e) => ({ ...e, [kind]: { ...e[kind]!, ...patch } }));

  return (
    <form
      className="panel"
      aria-label="Alert rules"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          await api.saveAlertRules(
            rules.map((r) => ({
              kind: r.kind,
              enabled: edits[r.kind]?.enabled ?? r.enabled,
              scope: (edits[r.kind]?.scope ?? r.scope) || null,
              params: Object.fromEntries(
                Object.entries(edits[r.kind]?.params ?? {}).map(([k, v]) => [k, Number(v)]),
              ),
            })),
          );
          onSaved();
          return 'Rules saved';
        });
      }}
    >
      {rules.map((r) => {
        const edit = edits[r.kind];
        if (!edit) return null;
        return (
          <fieldset key={r.kind} aria-label={r.title} className="alert-rule">
            <legend>
              <label>
                <input
                  type="checkbox"
                  checked={edit.enabled}
                  onChange={(e) => change(r.kind, { enabled: e.target.checked })}
                />{' '}
                {r.title}
              </label>
            </legend>
            <label>
              applies to
              <select
                name={`${r.kind}.scope`}
                value={edit.scope}
                onChange={(e) => change(r.kind, { scope: e.target.value })}
              >
                <option value="">{CONNECTION_RULES.has(r.kind) ? 'every connection' : 'every flow'}</option>
                {(CONNECTION_RULES.has(r.kind) ? connections : flows).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            {Object.entries(r.paramInfo).map(([name, info]) => (
              <label key={name}>
                {name}{' '}
                <span className="muted">
                  ({info.label}; default {info.default})
                </span>
                <input
                  type="number"
                  name={`${r.kind}.${name}`}
                  min={info.min}
                  max={info.max}
                  step="any"
                  value={edit.params[name] ?? ''}
                  onChange={(e) => change(r.kind, { params: { ...edit.params, [name]: e.target.value } })}
                />
              </label>
            ))}
          </fieldset>
        );
      })}
      <Button need="operator" variant="primary" type="submit" busy={save.pending}>
        Save rules
      </Button>
      <ErrorText>{save.error}</ErrorText>
      <Done>{save.done}</Done>
    </form>
  );
}
