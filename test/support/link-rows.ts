import type { SyncRecordWrite } from '../../src/store/repositories/sync-records.js';

/** A link-table row as a store test writes it: `sourceId` of `flow`, processed, nothing else set. */
export const linkRow = (flow: string, sourceId: string) =>
  ({
    flow,
    source_id: sourceId,
    target_id: null,
    natural_key: null,
    state: 'processed' as const,
    last_hash: null,
    source_updated_at: '2026-01-01T00:00:00.000Z',
    attempts: 0,
    error_code: null,
    error_category: null,
    error_message: null,
    reason: null,
    waiting_on: null,
    edited: 0,
    next_attempt_at: null,
    last_attempt_at: null,
    last_synced_at: '2026-01-01T00:00:01.000Z',
    data: null,
  }) satisfies SyncRecordWrite;
