import type { FormEvent, ReactNode } from 'react';
import { Button } from './Controls';

/**
 * The Sage View's bar (the manual's §6): the entity picker, "<field> starts with", Find, and Upload
 * selected — one for the accounting view's entities and for its listings.
 */
export function FindBar(o: {
  picker: ReactNode;
  field: string;
  text: string;
  onText: (text: string) => void;
  onFind: (e: FormEvent) => void;
  finding: boolean;
  upload: { disabled: boolean; title: string | undefined; onClick: () => void };
  hint: ReactNode;
}) {
  return (
    <form className="panel inline-form" onSubmit={o.onFind} aria-label="Find records">
      {o.picker}
      <label className="inline">
        {o.field} starts with{' '}
        <input
          type="search"
          value={o.text}
          maxLength={100}
          placeholder="a few letters"
          onChange={(e) => o.onText(e.target.value)}
        />
      </label>
      <button type="submit" className="btn btn-primary" disabled={o.finding}>
        Find
      </button>
      <Button
        need="operator"
        variant="primary"
        disabled={o.upload.disabled}
        title={o.upload.title}
        onClick={o.upload.onClick}
      >
        Upload selected
      </Button>
      <p className="hint">{o.hint}</p>
    </form>
  );
}
