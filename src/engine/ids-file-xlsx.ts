import { StringDecoder } from 'node:string_decoder';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { count, IdsFileError, type IdsFileLimits, idsLimitText, size } from './ids-file-limits.js';

/*
 * The first column of the first worksheet of an .xlsx, read as a stream with every size bounded.
 *
 * A workbook library loads every part and every row into memory: a 6 KB file with one value in A1 and
 * one in A1048576 cost seconds of blocked event loop and gigabytes. Here nothing is inflated before the
 * zip directory's declared sizes pass the limits (and yauzl refuses an entry that inflates beyond what
 * it declared), the sheet is parsed chunk by chunk with a turn of the event loop between chunks, a row
 * number past the limit ends the read at once, and what is kept is at most one short string per row.
 */

/**
 * Characters of one tag, text run or comment: saxes holds each whole until it ends. Excel puts at most
 * 32,767 characters in a cell, so a megabyte in one piece is no spreadsheet's.
 */
const MAX_MARKUP = 1024 * 1024;
/** Nesting a worksheet never needs (worksheet > sheetData > row > c > is > r > t); saxes keeps the stack. */
const MAX_DEPTH = 64;
/** Characters handed to the parser between two turns of the event loop. */
const SLICE = 64 * 1024;
/** Excel's own last row: a row numbered beyond it is not a worksheet's. */
const EXCEL_ROWS = 1_048_576;

const MAIN_FOLDER = 'xl/';

interface Handlers {
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
  text(text: string): void;
  /** True once the part has given what it was read for; the rest is not inflated. */
  done?(): boolean;
  /** The error for a piece of markup over MAX_MARKUP, if the part knows better than "unreadable". */
  overlong?(): IdsFileError | undefined;
}

/** Tag names without their prefix: some writers prefix the spreadsheet namespace (x:row). */
const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/**
 * Collects a cell's text without its surrounding whitespace, refusing it once it is longer than an ID may
 * be: whitespace is held back until text follows it, so padding alone never grows what is kept.
 */
class TextCollector {
  private value = '';
  private pendingSpace = '';
  constructor(private readonly max: number) {}

  /** False once the trimmed text is longer than the limit. */
  add(text: string): boolean {
    const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
    const [, lead = '', body = '', trail = ''] = m;
    if (!body) {
      if (this.value && this.pendingSpace.length <= this.max) this.pendingSpace += text;
      return true;
    }
    this.value += this.value ? this.pendingSpace + lead + body : body;
    this.pendingSpace = trail.slice(0, this.max + 1);
    return this.value.length <= this.max;
  }

  get text(): string {
    return this.value;
  }
}

function unreadable(name: string, why: string): IdsFileError {
  return new IdsFileError(`${name} is not a readable Excel (.xlsx) file: ${why}`, 'not_xlsx');
}

function tooManyRows(name: string, row: number, limits: IdsFileLimits, how = 'has a value in'): IdsFileError {
  return new IdsFileError(`${name} ${how} row ${row}; ${idsLimitText(limits)}`, 'too_many_ids');
}

function tooLong(name: string, row: number, limits: IdsFileLimits): IdsFileError {
  return new IdsFileError(
    `${name}: the ID in row ${row} is longer than ${count(limits.maxIdLength)} characters`,
    'id_too_long',
  );
}

/** The zip's entries by lower-cased name (part names are case-insensitive), refused on declared sizes alone. */
async function directory(zip: ZipFile, name: string, limits: IdsFileLimits): Promise<Map<string, Entry>> {
  if (zip.entryCount > limits.maxZipEntries)
    throw new IdsFileError(
      `${name} holds ${count(zip.entryCount)} files once unpacked; an Excel (.xlsx) ID file may hold at most ${count(limits.maxZipEntries)}`,
      'too_large',
    );
  const entries = new Map<string, Entry>();
  let total = 0;
  for await (const entry of zip.eachEntry()) {
    if (entry.uncompressedSize > limits.maxEntryBytes)
      throw new IdsFileError(
        `${name} unpacks to ${size(entry.uncompressedSize)} (${entry.fileName}); an Excel (.xlsx) ID file may unpack to at most ${size(limits.maxEntryBytes)} per part`,
        'too_large',
      );
    total += entry.uncompressedSize;
    if (total > limits.maxUnpackedBytes)
      throw new IdsFileError(
        `${name} unpacks to more than ${size(limits.maxUnpackedBytes)}; an Excel (.xlsx) ID file may unpack to at most ${size(limits.maxUnpackedBytes)} in all`,
        'too_large',
      );
    if (!entry.fileName.endsWith('/')) entries.set(entry.fileName.toLowerCase(), entry);
  }
  return entries;
}

/**
 * Streams one part through saxes. A slice at a time, with a turn of the event loop after each, so a
 * large sheet costs time spread thinly rather than one long block; stops inflating as soon as
 * `done()` says the part has given what it was read for.
 */
async function parsePart(zip: ZipFile, entry: Entry, name: string, h: Handlers): Promise<void> {
  const parser = new SaxesParser({ xmlns: false });
  let depth = 0;
  let sawEvent = false;
  let sinceEvent = 0;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    sawEvent = true;
    if (++depth > MAX_DEPTH) throw unreadable(name, `${entry.fileName} nests deeper than any worksheet`);
    h.open(localName(tag.name), tag.attributes);
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    sawEvent = true;
    depth--;
    h.close(localName(tag.name));
  });
  const text = (t: string) => {
    sawEvent = true;
    h.text(t);
  };
  parser.on('text', text);
  parser.on('cdata', text);

  let stream: Awaited<ReturnType<ZipFile['openReadStreamPromise']>>;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (e) {
    throw unreadable(name, `${entry.fileName}: ${(e as Error).message}`);
  }
  const decoder = new StringDecoder('utf8');
  const feed = (chunk: string) => {
    sawEvent = false;
    parser.write(chunk);
    sinceEvent = sawEvent ? chunk.length : sinceEvent + chunk.length;
    if (sinceEvent > MAX_MARKUP)
      throw (
        h.overlong?.() ??
        unreadable(name, `${entry.fileName} holds a single piece of text or markup over ${size(MAX_MARKUP)}`)
      );
  };
  try {
    for await (const chunk of stream) {
      const data = decoder.write(chunk as Buffer);
      for (let i = 0; i < data.length; i += SLICE) {
        feed(data.slice(i, i + SLICE));
        // Leaving the loop destroys the stream: the rest of the part is never inflated.
        if (h.done?.()) return;
        await nextTurn();
      }
    }
    feed(decoder.end());
    parser.close();
  } catch (e) {
    if (e instanceof IdsFileError) throw e;
    // yauzl's "too many bytes in the stream" (an entry larger than it declared), zlib's and saxes's errors.
    throw unreadable(name, `${entry.fileName}: ${(e as Error).message}`);
  } finally {
    stream.destroy();
  }
}

/** A relationship target resolved against the workbook's folder, as a lower-cased part name. */
function resolvePart(target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : MAIN_FOLDER + target).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/').toLowerCase();
}

/** The first worksheet in the workbook's own order (not the part named sheet1), and the shared strings. */
async function locateParts(
  zip: ZipFile,
  entries: Map<string, Entry>,
  name: string,
): Promise<{ sheet: Entry | undefined; sharedStrings: Entry | undefined }> {
  let relId: string | undefined;
  const workbook = entries.get('xl/workbook.xml');
  if (workbook) {
    let inSheets = false;
    await parsePart(zip, workbook, name, {
      open(tag, attrs) {
        if (tag === 'sheets') inSheets = true;
        else if (tag === 'sheet' && inSheets && relId === undefined) {
          // The relationship id is the one prefixed attribute named id (r:id, whatever the prefix).
          const key = Object.keys(attrs).find((k) => k.includes(':') && localName(k) === 'id');
          relId = key ? attrs[key] : '';
        }
      },
      close(tag) {
        if (tag === 'sheets') inSheets = false;
      },
      text() {},
      done: () => relId !== undefined,
    });
  }
  let sheetPath: string | undefined;
  let sharedPath: string | undefined;
  const rels = entries.get('xl/_rels/workbook.xml.rels');
  if (rels) {
    await parsePart(zip, rels, name, {
      open(tag, attrs) {
        if (tag !== 'Relationship' || !attrs.Target || attrs.TargetMode === 'External') return;
        if (relId && attrs.Id === relId) sheetPath = resolvePart(attrs.Target);
        else if (attrs.Type?.endsWith('/sharedStrings')) sharedPath = resolvePart(attrs.Target);
      },
      close() {},
      text() {},
    });
  }
  return {
    sheet: (sheetPath && entries.get(sheetPath)) || entries.get('xl/worksheets/sheet1.xml'),
    sharedStrings: (sharedPath && entries.get(sharedPath)) || entries.get('xl/sharedstrings.xml'),
  };
}

/** A cell reference such as A12: its column number (A = 1) and row. */
function parseRef(ref: string): { column: number; row: number } | undefined {
  const m = /^([A-Za-z]{1,3})([1-9]\d{0,6})$/.exec(ref);
  if (!m) return undefined;
  let column = 0;
  for (const ch of m[1]!.toUpperCase()) column = column * 26 + ch.charCodeAt(0) - 64;
  return { column, row: Number(m[2]) };
}

/** The last row a `<dimension ref>` such as A1:C200 announces. */
function lastRowOf(ref: string): number | undefined {
  const m = /(\d+)\s*$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/**
 * A number as a person typed it: integers without ".0" and the shortest decimal that is the same
 * number, as a workbook library printed them; digits too many for a double are kept as written.
 */
function numberText(raw: string): string {
  if (/^-?\d+$/.test(raw) && !Number.isSafeInteger(Number(raw))) return raw;
  const n = Number(raw);
  return raw !== '' && Number.isFinite(n) ? String(n) : raw;
}

/** A column-A cell whose text is in the shared strings, resolved once the sheet is read. */
interface SharedRef {
  shared: number;
}

/**
 * The first column of the first worksheet, by row: index 0 is row 1 (the header), '' where a row has
 * no value in column A.
 */
export async function readXlsxFirstColumn(
  data: Buffer,
  name: string,
  limits: IdsFileLimits,
): Promise<string[]> {
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(data, { lazyEntries: true, validateEntrySizes: true });
  } catch (e) {
    throw unreadable(name, (e as Error).message);
  }
  try {
    const entries = await directory(zip, name, limits);
    const { sheet, sharedStrings } = await locateParts(zip, entries, name);
    if (!sheet) throw new IdsFileError(`${name} has no worksheet`, 'no_worksheet');
    const column = await readSheet(zip, sheet, name, limits);
    const needed = new Map<number, number>();
    for (const [i, v] of column.entries())
      if (typeof v === 'object' && !needed.has(v.shared)) needed.set(v.shared, i + 1);
    const strings = needed.size
      ? await readSharedStrings(zip, sharedStrings, needed, name, limits)
      : undefined;
    return Array.from(column, (v) =>
      v === undefined ? '' : typeof v === 'string' ? v : (strings?.get(v.shared) ?? ''),
    );
  } catch (e) {
    if (e instanceof IdsFileError) throw e;
    throw unreadable(name, (e as Error).message);
  } finally {
    zip.close();
  }
}

/** Column A of the sheet, row by row; refuses as soon as a row past the limit is announced or seen. */
async function readSheet(
  zip: ZipFile,
  sheet: Entry,
  name: string,
  limits: IdsFileLimits,
): Promise<Array<string | SharedRef | undefined>> {
  const lastRow = limits.maxIds + 1;
  const column: Array<string | SharedRef | undefined> = [];
  let inSheetData = false;
  let row = 0;
  let cellColumn = 0;
  // The column-A cell being read, if any.
  let cell: { row: number; type: string; text: TextCollector } | undefined;
  // Where the cell's text is: its <v>, or the <t> runs of an inline string (not its phonetic <rPh>).
  let inValue = false;
  let inInline = false;
  let inRun = false;
  let inPhonetic = false;

  const checkRow = (n: number, how?: string) => {
    if (n > lastRow) throw tooManyRows(name, n, limits, how);
  };

  await parsePart(zip, sheet, name, {
    open(tag, attrs) {
      if (!inSheetData) {
        if (tag === 'sheetData') inSheetData = true;
        else if (tag === 'dimension' && attrs.ref) {
          const n = lastRowOf(attrs.ref);
          if (n !== undefined) checkRow(n, 'uses rows down to');
        }
        return;
      }
      if (tag === 'row') {
        const n = attrs.r === undefined ? row + 1 : Number(attrs.r);
        if (!Number.isInteger(n) || n < 1 || n > EXCEL_ROWS)
          throw unreadable(name, `a row is numbered "${attrs.r}"`);
        checkRow(n);
        row = n;
        cellColumn = 0;
      } else if (tag === 'c') {
        let cellRow = row;
        if (attrs.r === undefined) cellColumn++;
        else {
          const ref = parseRef(attrs.r);
          if (!ref) throw unreadable(name, `a cell in row ${row} is named "${attrs.r}"`);
          cellColumn = ref.column;
          cellRow = ref.row;
          checkRow(cellRow);
        }
        if (cellColumn === 1)
          cell = { row: cellRow, type: attrs.t ?? 'n', text: new TextCollector(limits.maxIdLength) };
      } else if (cell) {
        if (tag === 'v') inValue = true;
        else if (tag === 'is') inInline = true;
        else if (tag === 't' && inInline) inRun = true;
        else if (tag === 'rPh') inPhonetic = true;
      }
    },
    close(tag) {
      if (tag === 'sheetData') inSheetData = false;
      else if (!cell) return;
      else if (tag === 'v') inValue = false;
      else if (tag === 'is') inInline = false;
      else if (tag === 't') inRun = false;
      else if (tag === 'rPh') inPhonetic = false;
      else if (tag === 'c') {
        column[cell.row - 1] = cellValue(cell.type, cell.text.text, cell.row);
        cell = undefined;
      }
    },
    text(t) {
      if (!cell) return;
      const wanted = cell.type === 'inlineStr' ? inInline && inRun && !inPhonetic : inValue;
      if (wanted && !cell.text.add(t)) throw tooLong(name, cell.row, limits);
    },
    overlong: () => (cell && (inValue || inRun) ? tooLong(name, cell.row, limits) : undefined),
  });
  return column;

  function cellValue(type: string, text: string, at: number): string | SharedRef | undefined {
    if (!text) return undefined;
    switch (type) {
      case 's': {
        if (!/^\d+$/.test(text)) throw unreadable(name, `the cell A${at} refers to shared text "${text}"`);
        return { shared: Number(text) };
      }
      case 'b':
        return text === '1' ? 'true' : text === '0' ? 'false' : text;
      case 'n':
        return numberText(text);
      default:
        // str (a formula's text), inlineStr, e (an error such as #N/A), d (an ISO date).
        return text;
    }
  }
}

/**
 * The shared strings column A refers to, and no others: read after the sheet, so only the indexes it
 * needs are kept, and no further than the last of them. `needed` maps an index to the first row using it.
 */
async function readSharedStrings(
  zip: ZipFile,
  entry: Entry | undefined,
  needed: Map<number, number>,
  name: string,
  limits: IdsFileLimits,
): Promise<Map<number, string>> {
  if (!entry) throw unreadable(name, 'its cells refer to shared text, but it has none');
  let last = 0;
  for (const i of needed.keys()) last = Math.max(last, i);
  const strings = new Map<number, string>();
  let index = -1;
  let text: TextCollector | undefined;
  let inItem = false;
  let inT = false;
  let inPhonetic = false;
  await parsePart(zip, entry, name, {
    open(tag) {
      if (tag === 'si') {
        index++;
        inItem = true;
        text = needed.has(index) ? new TextCollector(limits.maxIdLength) : undefined;
      } else if (tag === 't') inT = true;
      else if (tag === 'rPh') inPhonetic = true;
    },
    close(tag) {
      if (tag === 'si') {
        if (text) strings.set(index, text.text);
        inItem = false;
        text = undefined;
      } else if (tag === 't') inT = false;
      else if (tag === 'rPh') inPhonetic = false;
    },
    text(t) {
      // Plain <si><t> and rich-text runs <si><r><t> alike; phonetic guides are not part of the value.
      if (text && inItem && inT && !inPhonetic && !text.add(t))
        throw tooLong(name, needed.get(index)!, limits);
    },
    done: () => index > last || (index === last && !inItem),
    overlong: () => (text && inT ? tooLong(name, needed.get(index)!, limits) : undefined),
  });
  for (const [i, row] of needed)
    if (!strings.has(i))
      throw unreadable(name, `the cell A${row} refers to shared text ${i}, which it lacks`);
  return strings;
}
