/** The hours of a day a scheduled synchronization runs at, as a cron schedule ("0 8,18 * * *"). */
const HOURLY = /^0 (\d{1,2}(?:,\d{1,2})*) \* \* \*$/;

export const hoursOf = (schedule: string | null | undefined): number[] => {
  const m = schedule ? HOURLY.exec(schedule) : null;
  return m ? m[1]!.split(',').map(Number) : [];
};

export const scheduleOf = (hours: readonly number[]): string =>
  `0 ${[...hours].sort((a, b) => a - b).join(',')} * * *`;

const label = (h: number) => `${String(h).padStart(2, '0')}:00`;

export function HoursPicker({
  legend,
  hours,
  onChange,
  disabled,
}: {
  legend: string;
  hours: readonly number[];
  onChange: (hours: number[]) => void;
  disabled?: boolean;
}) {
  return (
    <fieldset className="hours" disabled={disabled}>
      <legend>{legend}</legend>
      {Array.from({ length: 24 }, (_, h) => (
        <label key={label(h)} className="check">
          <input
            type="checkbox"
            checked={hours.includes(h)}
            onChange={(e) => onChange(e.target.checked ? [...hours, h] : hours.filter((x) => x !== h))}
          />
          {label(h)}
        </label>
      ))}
    </fieldset>
  );
}
