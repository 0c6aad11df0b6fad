import { useEffect, useState } from 'react';
import { api, type Flow, type SyncSettings } from '../api';
import { useAction } from '../hooks';
import { useFlows, usePermission } from '../session';
import { Button, Done, ErrorText } from './Controls';
import { HoursPicker, hoursOf, scheduleOf } from './HoursPicker';

type Mode = 'realtime' | 'shift-close' | 'scheduled';

/**
 * Seed 002's "Synchronization" panel, for the flows from `source` to `target`, chosen by what they
 * carry (never by system): Sync Mode for sales and their payments, the automatic transfer
 * synchronization for transfers and stock takes, and the customer id mapping. Everything is saved in
 * one request; a viewer sees the settings with every control disabled.
 */
export function SyncSettingsPanel({
  flows,
  title,
}: {
  /** The flows from the source to the target. */
  flows: Flow[];
  /** A connection's system title ("Accurate Online"). */
  title: (connection: string) => string;
}) {
  const { reload } = useFlows();
  const { canOperate } = usePermission();
  const sales = flows.filter((f) => f.entity === 'invoice' || f.entity === 'payment');
  const moves = flows.filter((f) => f.entity === 'stockTransfer' || f.entity === 'stockCount');
  const customers = flows.filter((f) => f.entity === 'customer');
  const source = title(flows[0]?.source ?? '');
  const target = title(flows[0]?.target ?? '');

  const [mode, setMode] = useState<Mode | ''>('');
  const [salesHours, setSalesHours] = useState<number[]>([]);
  const [auto, setAuto] = useState(false);
  const [moveHours, setMoveHours] = useState<number[]>([]);
  const [idFromSource, setIdFromSource] = useState(false);
  const save = useAction();

  // What the flows have now, each time they are read again (after a save, or every 30 s).
  const key = JSON.stringify(
    [...sales, ...moves, ...customers].map((f) => [f.syncMode, f.schedule, f.idMapping]),
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key says when the flows' settings changed
  useEffect(() => {
    const s = sales[0];
    const m = s?.syncMode;
    setMode(m === 'realtime' || m === 'shift-close' || m === 'scheduled' ? m : '');
    setSalesHours(m === 'scheduled' ? hoursOf(s?.schedule) : []);
    const t = moves[0];
    setAuto(t?.syncMode === 'scheduled');
    setMoveHours(t?.syncMode === 'scheduled' ? hoursOf(t.schedule) : []);
    setIdFromSource(customers[0]?.idMapping === 'source');
  }, [key]);

  const submit = () =>
    save.run(async () => {
      if (sales.length && mode === 'scheduled' && !salesHours.length)
        throw new Error('Sync on Scheduled Time: pick at least one hour.');
      if (moves.length && auto && !moveHours.length)
        throw new Error('Automatic transfer synchronization: pick at least one hour.');
      const patches: Record<string, SyncSettings> = {};
      // Real time and shift closing keep each flow's schedule: it is the poll behind the webhooks
      // and the shift-closed events, catching what they missed.
      if (mode)
        for (const f of sales)
          patches[f.name] =
            mode === 'scheduled' ? { syncMode: mode, schedule: scheduleOf(salesHours) } : { syncMode: mode };
      for (const f of moves)
        patches[f.name] = auto
          ? { syncMode: 'scheduled', schedule: scheduleOf(moveHours) }
          : { syncMode: 'realtime' };
      for (const f of customers) patches[f.name] = { idMapping: idFromSource ? 'source' : 'target' };
      if (!Object.keys(patches).length) return 'Nothing to save.';
      await api.saveSyncSettings(patches);
      reload();
      return 'Saved: the synchronization settings apply from now.';
    });

  return (
    <form
      className="panel sync-settings"
      aria-label="Synchronization settings"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <p className="hint">
        In this panel, there are three sections that you can use to adjust the synchronization schedule on
        sales transactions, transfers, and customer data.
      </p>
      <fieldset disabled={!canOperate} className="plain">
        {sales.length ? (
          <section aria-label="Sync Mode">
            <h3>Sync Mode</h3>
            <p className="hint">
              You can set a synchronization schedule for sales transactions that occur with the following
              options.
            </p>
            <label className="check">
              <input
                type="radio"
                name="sync-mode"
                checked={mode === 'realtime'}
                onChange={() => setMode('realtime')}
              />
              Synchronize Real Time
            </label>
            <p className="hint">
              The synchronization of sales transactions will be carried out in real time, at the time the
              transaction was made.
            </p>
            <label className="check">
              <input
                type="radio"
                name="sync-mode"
                checked={mode === 'shift-close'}
                onChange={() => setMode('shift-close')}
              />
              Automatically Synchronize Transactions to {target} on Register Shift Closing
            </label>
            <p className="hint">
              The synchronization of sales transactions will be done when the shift register is closed.
            </p>
            <label className="check">
              <input
                type="radio"
                name="sync-mode"
                checked={mode === 'scheduled'}
                onChange={() => setMode('scheduled')}
              />
              Sync on Scheduled Time
            </label>
            <p className="hint">
              The synchronization of sales transactions will be carried out at certain hours that you can
              specify.
            </p>
            {mode === 'scheduled' ? (
              <HoursPicker legend="Sales synchronization hours" hours={salesHours} onChange={setSalesHours} />
            ) : null}
          </section>
        ) : null}
        {moves.length ? (
          <section aria-label="Transfer Sync">
            <h3>Transfer Sync</h3>
            <p className="hint">
              You can set the synchronization schedule for transfers from outlets to outlets / warehouses and
              stock taking done through {source} with the Enable automatic transfer synchronization button.
            </p>
            <label className="check">
              <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} />
              Enable automatic transfer synchronization
            </label>
            <p className="hint">
              If activated, every transfer from outlet to outlet and stock taking made through {source} will
              be synchronized in {target} at the hours you specify. If deactivated, they will be synchronized
              in real time in {target}.
            </p>
            {auto ? (
              <HoursPicker
                legend="Transfer synchronization hours"
                hours={moveHours}
                onChange={setMoveHours}
              />
            ) : null}
            <p className="hint">
              Notes: every transfer in or purchase of goods from suppliers is done through {target} and will
              be synchronized in real time in {source}, whether the automatic transfer synchronization button
              is active or inactive.
            </p>
          </section>
        ) : null}
        {customers.length ? (
          <section aria-label="Customer Data Mapping">
            <h3>Customer Data Mapping</h3>
            <label className="check">
              <input
                type="checkbox"
                checked={idFromSource}
                onChange={(e) => setIdFromSource(e.target.checked)}
              />
              Use Id in customer data as the mapping in {target}
            </label>
            <p className="hint">
              If activated, the customer ID between {source} and {target} will be the same. If disabled, the
              customer ID will be generated by {target}. However, if a customer has no ID number in {source},{' '}
              {target} generates one even though the button has been activated.
            </p>
          </section>
        ) : null}
      </fieldset>
      <div className="actions">
        <Button need="operator" variant="primary" type="submit" busy={save.pending}>
          Save settings
        </Button>
      </div>
      <ErrorText>{save.error}</ErrorText>
      <Done>{save.done}</Done>
    </form>
  );
}
