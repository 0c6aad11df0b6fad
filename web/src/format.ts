const pad = (n: number) => String(n).padStart(2, '0');

/** Local date and time, to the second: what an operator compares with the other systems' screens. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatHour(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${pad(d.getHours())}:00`;
}

/** "3 min ago", "in 2 h": short, for tables. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((t - now) / 1000);
  const a = Math.abs(s);
  const [n, unit] =
    a < 60
      ? [a, 's']
      : a < 3600
        ? [Math.round(a / 60), 'min']
        : a < 86400
          ? [Math.round(a / 3600), 'h']
          : [Math.round(a / 86400), 'd'];
  if (a < 5) return 'just now';
  return s < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const formatCount = (n: number | null | undefined): string => (n ?? 0).toLocaleString('en-US');

/** The start of a local day (a date input's YYYY-MM-DD) as an ISO instant, for the API's since. */
export const dayStart = (day: string): string => (day ? new Date(`${day}T00:00:00`).toISOString() : '');

/** The end of a local day as an ISO instant, for the API's until. */
export const dayEnd = (day: string): string => (day ? new Date(`${day}T23:59:59.999`).toISOString() : '');

/** Splits what a person typed (commas, spaces, new lines) into a list of ids or values. */
export function splitList(text: string, separators: RegExp = /[\s,;]+/): string[] {
  return [
    ...new Set(
      text
        .split(separators)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

export function pretty(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

/**
 * Money as the decimal string it is, with its currency: digits grouped, at least two decimals, never
 * through a float ("1234.5" USD → "1,234.50 USD").
 */
export function formatMoney(m: { amount: string; currency: string }): string {
  const negative = m.amount.startsWith('-');
  const [int = '0', frac = ''] = (negative ? m.amount.slice(1) : m.amount).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${frac.padEnd(2, '0')} ${m.currency}`;
}

export const humanize = (s: string): string => s.replace(/[_-]+/g, ' ');
