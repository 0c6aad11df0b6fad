import { formatCount } from '../format';

interface Props {
  offset: number;
  limit: number;
  /** Unknown when the API does not count (the webhook log): "next" then depends on a full page. */
  total?: number;
  shown: number;
  onChange: (offset: number) => void;
  label?: string;
}

export function Pager({ offset, limit, total, shown, onChange, label = 'Pages' }: Props) {
  const first = shown ? offset + 1 : 0;
  const last = offset + shown;
  const hasNext = total === undefined ? shown === limit : last < total;
  return (
    <nav className="pager" aria-label={label}>
      <span>
        {shown === 0 && offset === 0
          ? 'Nothing to show'
          : `${formatCount(first)}–${formatCount(last)}${total !== undefined ? ` of ${formatCount(total)}` : ''}`}
      </span>
      <button type="button" className="btn" disabled={offset === 0} onClick={() => onChange(0)}>
        First page
      </button>
      <button
        type="button"
        className="btn"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
      >
        Previous page
      </button>
      <button type="button" className="btn" disabled={!hasNext} onClick={() => onChange(offset + limit)}>
        Next page
      </button>
    </nav>
  );
}
