import { entityTitle } from '../App';
import { SyncList } from '../components/SyncList';
import { SyncSettingsPanel } from '../components/SyncSettingsPanel';
import { WebhookRecordLog } from '../components/WebhookRecordLog';
import { useQueryState } from '../router';
import { useFlows } from '../session';
import { plural, useConnectionTitles } from '../views';

/**
 * Seed 002's Integration Data Check between two connections: the synchronization status of what goes
 * from `source` to `target` (a list per flow, View Details, the reason behind an exclamation mark,
 * Sync refresh), the webhook log of what `target`'s webhooks brought back, and the synchronization
 * settings panel.
 */
export function IntegrationCheckScreen({ source, target }: { source: string; target: string }) {
  const { flows } = useFlows();
  const title = useConnectionTitles();
  const [q, setQ] = useQueryState();
  const outgoing = flows.filter((f) => f.source === source && f.target === target);
  const incoming = flows.filter((f) => f.source === target && f.target === source);
  const open = q.get('details') ?? '';

  return (
    <section>
      <div className="title-row">
        <h1>Integration Data Check</h1>
        <p className="muted">
          {title(source)} and {title(target)}
        </p>
      </div>

      <h2>Synchronization Status</h2>
      <p className="hint">
        What goes from {title(source)} to {title(target)}. If Success, the synchronization is successful; if
        Failed, select the exclamation mark to read why, make the repair, then Sync refresh. Every
        synchronization is done from the very beginning: a record waits for an earlier one that has not
        succeeded.
      </p>
      {outgoing.length ? (
        outgoing.map((f) => (
          <SyncList
            key={f.name}
            flow={f}
            title={plural(entityTitle(f.entity))}
            open={open === f.name}
            onOpen={(o) => setQ({ details: o ? f.name : undefined })}
          />
        ))
      ) : (
        <p className="empty">
          No flow goes from {source} to {target}.
        </p>
      )}

      <h2>Webhook Log</h2>
      <p className="hint">
        What {title(target)}'s webhooks brought to {title(source)}, a row per record. If it failed, select the
        exclamation mark to read why, make the repair, then Sync refresh.
      </p>
      <WebhookRecordLog connection={target} flowNames={incoming.map((f) => f.name)} />

      <h2>Synchronization</h2>
      <SyncSettingsPanel flows={outgoing} title={title} />
    </section>
  );
}
