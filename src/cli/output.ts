import { EnvError } from '../config/env.js';
import { isConfigError } from '../config/load.js';
import { isLedgerlinkError } from '../connectors/sdk/errors.js';
import { isEngineError } from '../engine/errors.js';
import { isIdsFileError } from '../engine/ids-file.js';
import { StoreVersionError } from '../store/migrate.js';

/** Exit codes: 0 done, 1 an error stopped the command, 2 bad usage, 3 done but some records failed. */
export const EXIT = { ok: 0, error: 1, usage: 2, recordFailures: 3 } as const;

export class UsageError extends Error {}

export interface Output {
  json: boolean;
  /** Human text to stdout (ignored in --json mode). */
  line(text?: string): void;
  /** The machine result in --json mode. */
  result(value: unknown): void;
}

export function output(json: boolean): Output {
  return {
    json,
    line: (text = '') => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    result: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

function errorCode(e: unknown): string {
  if (isConfigError(e)) return 'config';
  if (e instanceof EnvError) return 'environment';
  if (isEngineError(e)) return e.code;
  if (isIdsFileError(e)) return 'ids_file';
  if (e instanceof StoreVersionError) return 'store_version';
  if (isLedgerlinkError(e)) return e.code;
  if (e instanceof UsageError) return 'usage';
  return 'internal';
}

/** Prints an error as people (one line per problem) or machines (JSON) read it; returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  else for (const line of message.split('\n')) process.stderr.write(`error: ${line}\n`);
  if (code === 'internal' && process.env.LEDGERLINK_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  return code === 'usage' ? EXIT.usage : EXIT.error;
}

/** Fixed-width text table for terminals. */
export function table(
  headers: string[],
  rows: Array<Array<string | number | null | undefined>>,
  maxWidth = 60,
): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) =>
    Math.min(maxWidth, Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length))),
  );
  const clip = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const lines = [
    headers.map((h, i) => clip(h, widths[i]!)).join('  '),
    widths.map((w) => '─'.repeat(w)).join('  '),
  ];
  for (const r of cells)
    lines.push(
      r
        .map((c, i) => clip(c, widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}
