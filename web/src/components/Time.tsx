import { formatTime, relativeTime } from '../format';

/** A moment as local date-time, with the relative form beside it when asked. */
export function Time({ iso, relative }: { iso: string | null | undefined; relative?: boolean }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {relative ? relativeTime(iso) : formatTime(iso)}
    </time>
  );
}
