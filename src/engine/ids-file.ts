import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  count,
  IDS_FILE_LIMITS,
  IdsFileError,
  type IdsFileLimits,
  idsLimitText,
  size,
} from './ids-file-limits.js';
import { readXlsxFirstColumn } from './ids-file-xlsx.js';

export {
  IDS_FILE_LIMITS,
  IdsFileError,
  type IdsFileErrorCode,
  type IdsFileLimits,
  isIdsFileError,
} from './ids-file-limits.js';

function tooLarge(name: string, bytes: number, limits: IdsFileLimits): IdsFileError {
  return new IdsFileError(
    `${name} is ${size(bytes)}; an ID file can be at most ${size(limits.maxUploadBytes)}`,
    'too_large',
  );
}

/**
 * A file named on the command line, refused on its size before any of it is read: `stat` first, then
 * no more than that many bytes, so neither a huge file nor a device that never ends is read whole.
 */
async function readBounded(path: string, name: string, limits: IdsFileLimits): Promise<Buffer> {
  let file: Awaited<ReturnType<typeof open>> | undefined;
  try {
    file = await open(path, 'r');
    const st = await file.stat();
    if (!st.isFile()) throw new IdsFileError(`${name} cannot be read (it is not a file)`, 'unreadable');
    if (st.size > limits.maxUploadBytes) throw tooLarge(name, st.size, limits);
    const data = Buffer.alloc(st.size);
    let got = 0;
    while (got < data.length) {
      const { bytesRead } = await file.read(data, got, data.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return data.subarray(0, got);
  } catch (e) {
    if (e instanceof IdsFileError) throw e;
    throw new IdsFileError(
      `${name} cannot be read (${(e as { code?: string }).code ?? (e as Error).message})`,
      'unreadable',
    );
  } finally {
    await file?.close();
  }
}

/**
 * First column of each CSV line, honouring quotes; enough for an ID list. Walks the text line by line
 * and stops at the first line past the row limit, so a file of a million lines is refused, not split.
 */
function csvFirstColumn(text: string, name: string, limits: IdsFileLimits): string[] {
  const column: string[] = [];
  const body = text.replace(/^\uFEFF/, '');
  let line = 0;
  for (let at = 0; at <= body.length; ) {
    line++;
    if (line > limits.maxIds + 1) {
      // Blank lines at the end are what editors leave; anything else is one line too many.
      if (/\S/.test(body.slice(at)))
        throw new IdsFileError(
          `${name} goes on past line ${limits.maxIds + 1}; ${idsLimitText(limits)}`,
          'too_many_ids',
        );
      break;
    }
    const nl = body.indexOf('\n', at);
    const end = nl < 0 ? body.length : nl;
    const raw = body.slice(at, end > at && body[end - 1] === '\r' ? end - 1 : end);
    at = end + 1;
    let value: string;
    if (raw.startsWith('"')) {
      const m = /^"((?:[^"]|"")*)"/.exec(raw);
      value = m ? m[1]!.replace(/""/g, '"') : raw;
    } else value = raw.split(/[,;\t]/, 1)[0] ?? '';
    value = value.trim();
    if (!value) continue;
    if (value.length > limits.maxIdLength)
      throw new IdsFileError(
        `${name}: the ID in line ${line} is longer than ${count(limits.maxIdLength)} characters`,
        'id_too_long',
      );
    column[line - 1] = value;
  }
  return Array.from(column, (v) => v ?? '');
}

/**
 * Reads the IDs from the first column of an Excel (.xlsx) or CSV file whose first row is the header
 * the screen names (e.g. "Customer"). Blank cells are ignored and duplicates removed, in file order.
 * `content` is the uploaded bytes; without it the file at `path` is read. `limits` is for tests.
 */
export async function readIdsFile(
  path: string,
  expectedHeader: string,
  content?: Buffer,
  limits: IdsFileLimits = IDS_FILE_LIMITS,
): Promise<string[]> {
  const name = basename(path);
  const ext = extname(path).toLowerCase();
  if (ext !== '.xlsx' && ext !== '.csv' && ext !== '.txt')
    throw new IdsFileError(`${name}: upload an Excel (.xlsx) or CSV (.csv) file`, 'unsupported_type');
  if (content && content.length > limits.maxUploadBytes) throw tooLarge(name, content.length, limits);
  const data = content ?? (await readBounded(path, name, limits));
  const column =
    ext === '.xlsx'
      ? await readXlsxFirstColumn(data, name, limits)
      : csvFirstColumn(data.toString('utf8'), name, limits);
  const header = (column[0] ?? '').trim();
  if (header.toLowerCase() !== expectedHeader.toLowerCase()) {
    throw new IdsFileError(
      `${name}: the first row must be the header "${expectedHeader}" with the IDs below it in the first column${header ? ` (found "${header}")` : ' (the first cell is empty)'}`,
      'wrong_header',
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
    throw new IdsFileError(`${name} has the header "${expectedHeader}" but no IDs below it`, 'no_ids');
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
