import { newLinkRow, type Store, type SyncRecord, type SyncState } from '../store/index.js';
import { EngineError } from './errors.js';
import type { Flow } from './flow.js';
import { hashOf } from './hash.js';
import { entityWord, validateRecord } from './validate.js';

/**
 * What a person decides about one record, from the sync status and connector log screens: edit its
 * data before a retry, skip it, mark it processed, link it to a target record by hand, or unlink it.
 * Each decision is a connector-log entry naming who made it, so the record's story stays whole.
 */
export class RecordActions {
  constructor(
    private readonly store: Store,
    private readonly flowOf: (name: string) => Flow,
  ) {}

  private async row(id: number): Promise<SyncRecord> {
    const row = await this.store.records.byId(id);
    if (!row) throw new EngineError('unknown_record', `no sync record with id ${id}`);
    return row;
  }

  private async note(row: SyncRecord, reason: string, targetId = row.target_id) {
    const flow = this.flowOf(row.flow);
    await this.store.log.append([
      {
        run_id: null,
        flow: row.flow,
        entity: flow.entity,
        source_id: row.source_id,
        target_id: targetId,
        source_number: null,
        target_number: row.target_number,
        related: null,
        action: 'none',
        status: 'manual',
        reason,
        error_code: null,
        error_category: null,
        request: null,
        response: null,
        duration_ms: 0,
        attempt: row.attempts,
        created_at: new Date().toISOString(),
      },
    ]);
  }

  /**
   * A person's corrected data, validated against the canonical model; the next retry writes it as it
   * is instead of reading the source again.
   */
  async editData(id: number, data: unknown, who: string): Promise<SyncRecord> {
    const row = await this.row(id);
    const flow = this.flowOf(row.flow);
    const valid = validateRecord(flow.entity, row.source_id, data);
    if (!valid.ok) throw new EngineError('invalid_request', valid.message);
    await this.store.records.setState(id, row.state, { data: JSON.stringify(valid.data), edited: 1 });
    await this.note(row, `data edited by ${who}; it is written as edited on the next retry`);
    return this.row(id);
  }

  /**
   * A sticky skip: the record stays skipped while the source sends it unchanged (who, why, when and
   * the source record's hash are kept); it goes again when it changed, or when someone un-skips it.
   */
  async skip(id: number, who: string, why?: string): Promise<SyncRecord> {
    const row = await this.row(id);
    const reason = skipReason(who, why);
    await this.settle(id, 'skipped', {
      reason,
      skipped_by: who,
      skip_reason: why ?? null,
      skipped_at: new Date().toISOString(),
      skipped_hash: skippedHash(row),
    });
    await this.note(row, reason);
    return this.row(id);
  }

  /** Takes back a person's skip: the record goes with the next delivery, run or retry. */
  async unskip(id: number, who: string): Promise<SyncRecord> {
    const row = await this.row(id);
    if (!row.skipped_by)
      throw new EngineError('invalid_request', `${row.source_id} was not skipped by a person`);
    const reason = `un-skipped by ${who} (skipped by ${row.skipped_by}${row.skip_reason ? `: ${row.skip_reason}` : ''})`;
    await this.settle(id, 'prepared', { reason });
    await this.note(row, reason);
    return this.row(id);
  }

  /** The person says the record is in place on the target (made there by hand, say). */
  async markProcessed(id: number, who: string): Promise<SyncRecord> {
    const row = await this.row(id);
    await this.settle(id, 'processed', { reason: null, last_synced_at: new Date().toISOString() });
    await this.note(row, `marked as processed by ${who}`);
    return this.row(id);
  }

  /** Links a source record to a target record by hand; the next run writes the owned fields to it. */
  async link(flowName: string, sourceId: string, targetId: string, who: string): Promise<SyncRecord> {
    const flow = this.flowOf(flowName);
    const taken = await this.store.records.byTarget(flow.name, targetId);
    if (taken && taken.source_id !== sourceId)
      throw new EngineError(
        'conflict',
        `${targetId} is already linked to ${entityWord(flow.entity)} ${taken.source_id} in ${flow.name}; unlink that first`,
      );
    const now = new Date().toISOString();
    await this.store.records.upsertMany([
      {
        // Nothing is known of what the target holds (no last_hash): the next run writes every owned field.
        ...newLinkRow(flow.name, sourceId, 'processed'),
        target_id: targetId,
        reason: `linked by ${who}`,
        last_synced_at: now,
      },
    ]);
    await this.store.records.skipMarks(flow.name, { clear: [sourceId], adopt: [] });
    const row = (await this.store.records.get(flow.name, sourceId))!;
    await this.note(row, `linked to ${targetId} by ${who}`);
    return row;
  }

  /** Forgets the link; the next run finds the target record by its key again, or creates it. */
  async unlink(id: number, who: string): Promise<SyncRecord> {
    const row = await this.row(id);
    if (!row.target_id)
      throw new EngineError('invalid_request', `${row.source_id} is not linked to anything`);
    await this.store.records.setState(id, 'prepared', {
      target_id: null,
      target_number: null,
      natural_key: null,
      last_hash: null,
      reason: `unlinked from ${row.target_id} by ${who}`,
      next_attempt_at: null,
      waiting_on: null,
      ...NO_SKIP,
    });
    await this.note(row, `unlinked from ${row.target_id} by ${who}`, row.target_id);
    return this.row(id);
  }

  private async settle(id: number, state: SyncState, patch: Record<string, unknown>): Promise<void> {
    await this.store.records.setState(id, state, {
      error_code: null,
      error_category: null,
      error_message: null,
      waiting_on: null,
      next_attempt_at: null,
      attempts: 0,
      // Any other decision takes back a person's skip; a skip sets its own.
      ...NO_SKIP,
      ...patch,
    });
  }
}

/** What a person's skip says in the record's reason and the log. */
export const skipReason = (who: string, why?: string | null): string =>
  `skipped by ${who}${why ? `: ${why}` : ''}`;

/**
 * The source record's hash when a person skipped it: of its canonical data as last read, else the
 * link's per-field hashes of what was last written; null when neither is known (the next delivery's
 * copy is then taken as the one skipped).
 */
export function skippedHash(row: SyncRecord): string | null {
  if (row.data && !row.edited) {
    try {
      return `data:${hashOf(JSON.parse(row.data))}`;
    } catch {
      // unreadable data: fall through to the link's hashes
    }
  }
  return row.last_hash ? `owned:${row.last_hash}` : null;
}

/** A record no person skipped (or whose skip was taken back). */
const NO_SKIP = { skipped_by: null, skip_reason: null, skipped_at: null, skipped_hash: null } as const;
