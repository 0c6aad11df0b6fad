/** One choice of the accounting view's Entity list: a flow's entity, or a connection's listing. */
export interface EntityChoice {
  /** The flow's name, or `list:<listing>`. */
  value: string;
  title: string;
}

/** The Entity drop-down at the top left of the accounting view (§6): what to search and upload. */
export function EntityPicker({
  choices,
  value,
  onPick,
}: {
  choices: readonly EntityChoice[];
  value: string;
  onPick: (value: string) => void;
}) {
  return (
    <label className="inline">
      Entity{' '}
      <select value={value} onChange={(e) => onPick(e.target.value)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.title}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The Entity list's value of a listing (flows keep their names). */
export const listingChoice = (name: string): string => `list:${name}`;
