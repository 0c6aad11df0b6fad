import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';

/** One file inside a hand-made zip. */
export interface ZipPart {
  name: string;
  data: string | Buffer;
  /** Stored rather than deflated. */
  store?: boolean;
  /** The uncompressed size the headers declare, when it should not be the true one. */
  declaredSize?: number;
  /** Bytes written as the entry's deflated data as they are (valid deflate or not), instead of deflating `data`. */
  deflated?: Buffer;
}

/**
 * A zip written byte by byte (local headers, central directory, end record), so a test can make one
 * that lies about its sizes, which no zip library will write.
 */
export function zip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const raw = typeof p.data === 'string' ? Buffer.from(p.data, 'utf8') : p.data;
    const body = p.deflated ?? (p.store ? raw : deflateRawSync(raw));
    const size = p.declaredSize ?? raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(p.store ? 0 : 8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(p.store ? 0 : 8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc32(raw), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

export interface SheetPart {
  /** The name the workbook gives it (its tab). */
  title: string;
  /** Where it lives, under xl/, e.g. worksheets/sheet2.xml. */
  path: string;
  /** What goes inside <sheetData>. */
  rows: string;
  /** <dimension ref>, if any. */
  dimension?: string;
}

/**
 * The parts of a workbook, written by hand so a test decides each detail: sheets in the workbook's
 * order (relationship ids in the reverse order, so "first" cannot be confused with "rId1" or
 * "sheet1.xml"), shared strings as raw <si> bodies.
 */
export function workbookParts(sheets: SheetPart[], sharedStrings?: string[]): ZipPart[] {
  const rid = (i: number) => `rId${sheets.length - i}`;
  const parts: ZipPart[] = [
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        sheets
          .map(
            (s) =>
              `<Override PartName="/xl/${s.path}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        (sharedStrings
          ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
          : '') +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets>${sheets
        .map((s, i) => `<sheet name="${s.title}" sheetId="${i + 1}" r:id="${rid(i)}"/>`)
        .join('')}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG_REL_NS}">${sheets
        .map((s, i) => `<Relationship Id="${rid(i)}" Type="${REL_NS}/worksheet" Target="${s.path}"/>`)
        .join('')}${
        sharedStrings
          ? `<Relationship Id="rId${sheets.length + 1}" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>`
          : ''
      }</Relationships>`,
    },
    ...sheets.map((s) => ({
      name: `xl/${s.path}`,
      data: `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}" xmlns:r="${REL_NS}">${
        s.dimension ? `<dimension ref="${s.dimension}"/>` : ''
      }<sheetData>${s.rows}</sheetData></worksheet>`,
    })),
  ];
  if (sharedStrings)
    parts.push({
      name: 'xl/sharedStrings.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}" count="${sharedStrings.length}" uniqueCount="${sharedStrings.length}">${sharedStrings
        .map((si) => `<si>${si}</si>`)
        .join('')}</sst>`,
    });
  return parts;
}

/** A one-sheet workbook from hand-written <sheetData> rows. */
export const sheetXlsx = (rows: string, o: { dimension?: string; sharedStrings?: string[] } = {}): Buffer =>
  zip(
    workbookParts(
      [
        {
          title: 'IDs',
          path: 'worksheets/sheet1.xml',
          rows,
          ...(o.dimension ? { dimension: o.dimension } : {}),
        },
      ],
      o.sharedStrings,
    ),
  );

/** A row of inline-string cells in column A, as Excel would number it. */
export const inlineRow = (row: number, text: string): string =>
  `<row r="${row}"><c r="A${row}" t="inlineStr"><is><t>${text}</t></is></c></row>`;

/** An ID list as ExcelJS writes it (shared strings, a dimension): the header, then one ID a row. */
export async function idsXlsx(header: string, ids: Array<string | number>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('IDs');
  sheet.addRow([header]);
  for (const id of ids) sheet.addRow([id]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * The file that blocked the server: a value in A1 and another in A1048576, the last row Excel has.
 * About 6 KB.
 */
export async function lastRowBomb(header = 'Customer'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  ws.getCell('A1').value = header;
  ws.getCell('A1048576').value = 'x';
  return Buffer.from(await wb.xlsx.writeBuffer());
}
