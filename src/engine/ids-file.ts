import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';

/** A problem with an uploaded ID file, phrased for the person who uploaded it. */
export class IdsFileError extends Error {
  readonly idsFileError = true as const;
}

export const isIdsFileError = (e: unknown): e is IdsFileError =>
  typeof e === 'object' && e !== null && (e as { idsFileError?: unknown }).idsFileError === true;

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    const o = v as { text?: unknown; result?: unknown; richText?: Array<{ text: string }> };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return String(o.text);
    if (o.result !== undefined) return String(o.result);
  }
  return String(v);
}

/** First column of each CSV line, honouring quotes; enough for an ID list. */
function csvFirstColumn(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => {
      if (line.startsWith('"')) {
        const m = /^"((?:[^"]|"")*)"/.exec(line);
        return m ? m[1]!.replace(/""/g, '"') : line;
      }
      return line.split(/[,;\t]/)[0] ?? '';
    });
}

/**
 * Reads the IDs from the first column of an Excel (.xlsx) or CSV file whose first row is the header
 * the screen names (e.g. "Customer"). Blank cells are ignored and duplicates removed, in file order.
 */
export async function readIdsFile(path: string, expectedHeader: string, content?: Buffer): Promise<string[]> {
  const name = basename(path);
  const ext = extname(path).toLowerCase();
  let column: string[];
  let data: Buffer;
  try {
    data = content ?? (await readFile(path));
  } catch (e) {
    throw new IdsFileError(
      `${name} cannot be read (${(e as { code?: string }).code ?? (e as Error).message})`,
    );
  }
  if (ext === '.xlsx') {
    // Loaded on demand: ExcelJS is large, and most commands never read a workbook.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(data as unknown as ArrayBuffer);
    } catch (e) {
      throw new IdsFileError(`${name} is not a readable Excel (.xlsx) file: ${(e as Error).message}`);
    }
    const sheet = wb.worksheets[0];
    if (!sheet) throw new IdsFileError(`${name} has no worksheet`);
    column = [];
    sheet.eachRow({ includeEmpty: true }, (row, n) => {
      column[n - 1] = cellText(row.getCell(1).value);
    });
    column = Array.from(column, (v) => v ?? '');
  } else if (ext === '.csv' || ext === '.txt') {
    column = csvFirstColumn(data.toString('utf8'));
  } else {
    throw new IdsFileError(`${name}: upload an Excel (.xlsx) or CSV (.csv) file`);
  }
  const header = (column[0] ?? '').trim();
  if (header.toLowerCase() !== expectedHeader.toLowerCase()) {
    throw new IdsFileError(
      `${name}: the first row must be the header "${expectedHeader}" with the IDs below it in the first column${header ? ` (found "${header}")` : ' (the first cell is empty)'}`,
    );
  }
  const ids = [
    ...new Set(
      column
        .slice(1)
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  if (ids.length === 0)
    throw new IdsFileError(`${name} has the header "${expectedHeader}" but no IDs below it`);
  return ids;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A filter date from a person: YYYY-MM-DD (a whole day in UTC) or an ISO date-time with its zone.
 * `end` turns a bare date into the last instant of that day, for "until".
 */
export function parseFilterDate(value: string, what: string, end = false): string {
  const v = value.trim();
  if (DATE_ONLY.test(v)) {
    const d = new Date(`${v}T00:00:00.000Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v)
      throw new IdsFileError(`${what} "${value}" is not a real date`);
    return end ? new Date(d.getTime() + 86_400_000 - 1).toISOString() : d.toISOString();
  }
  if (WITH_ZONE.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(v)) {
    throw new IdsFileError(
      `${what} "${value}" has no zone; write it as ${v}Z or with an offset such as ${v}+02:00`,
    );
  }
  throw new IdsFileError(
    `${what} "${value}" is not a date; use YYYY-MM-DD or an ISO date-time with a zone, e.g. 2026-01-31T08:00:00Z`,
  );
}
