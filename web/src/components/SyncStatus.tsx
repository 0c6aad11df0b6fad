import { Badge } from './Badge';

/**
 * A record's sync state in the seed's words (seed 002: "If Success, then the synchronization is
 * successful. If Failed, then the synchronization failed."), plus Waiting — a record held back for an
 * earlier one — and Received, a webhook's record not yet taken through its flow.
 */
const WORDS: Record<string, { word: string; tone: string }> = {
  processed: { word: 'Success', tone: 'success' },
  failed: { word: 'Failed', tone: 'failed' },
  aborted: { word: 'Failed', tone: 'failed' },
  waiting: { word: 'Waiting', tone: 'waiting' },
  prepared: { word: 'Waiting', tone: 'waiting' },
  skipped: { word: 'Skipped', tone: 'skipped' },
  filtered: { word: 'Skipped', tone: 'skipped' },
  deleted: { word: 'Deleted', tone: 'skipped' },
};

export const statusWord = (state: string | null): string =>
  state ? (WORDS[state]?.word ?? state) : 'Received';

/** A failed or waiting record has a reason a person should read: the exclamation mark opens it. */
export const hasReason = (state: string | null): boolean =>
  statusWord(state) === 'Failed' || statusWord(state) === 'Waiting';

export function SyncStatusBadge({ state }: { state: string | null }) {
  return <Badge status={state ? (WORDS[state]?.tone ?? state) : 'received'} label={statusWord(state)} />;
}

/** The exclamation mark of the seed's action column, on a failed or waiting row. */
export function ReasonMark({
  label,
  state,
  onOpen,
}: {
  label: string;
  state: string | null;
  onOpen: () => void;
}) {
  if (!hasReason(state)) return null;
  return (
    <button
      type="button"
      className="btn btn-plain reason-mark"
      aria-label={`Why ${label} is ${statusWord(state).toLowerCase()}`}
      title="Why"
      onClick={onOpen}
    >
      !
    </button>
  );
}
