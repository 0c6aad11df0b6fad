import type { LogEntryWrite } from '../../src/store/repositories/connector-log.js';
import { newLinkRow, type SyncRecordWrite } from '../../src/store/repositories/sync-records.js';

// Rows a store test writes directly: a link-table row and a connector-log line.

/** A link-table row as a store test writes it: `sourceId` of `flow`, processed, nothing else set. */
export const linkRow = (flow: string, sourceId: string): SyncRecordWrite => ({
  ...newLinkRow(flow, sourceId, 'processed'),
  source_updated_at: '2026-01-01T00:00:00.000Z',
  last_synced_at: '2026-01-01T00:00:01.000Z',
});

/** A connector-log line: a create of `sourceId` that succeeded, as `patch` changes it. */
export const logLine = (
  flow: string,
  sourceId: string,
  patch: Partial<LogEntryWrite> = {},
): LogEntryWrite => ({
  run_id: 1,
  flow,
  entity: 'customer',
  source_id: sourceId,
  target_id: null,
  action: 'create',
  status: 'success',
  reason: null,
  error_code: null,
  error_category: null,
  request: null,
  response: null,
  duration_ms: 1,
  attempt: 1,
  created_at: new Date().toISOString(),
  ...patch,
});
