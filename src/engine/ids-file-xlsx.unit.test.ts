import { describe, expect, it } from 'vitest';
import { idsXlsx, inlineRow, lastRowBomb, sheetXlsx, workbookParts, zip } from '../../test/support/xlsx.js';
import { IDS_FILE_LIMITS, type IdsFileError, type IdsFileLimits, readIdsFile } from './ids-file.js';

const read = (data: Buffer, limits?: Partial<IdsFileLimits>) =>
  readIdsFile('ids.xlsx', 'Customer', data, { ...IDS_FILE_LIMITS, ...limits });

/** The IdsFileError a read ends with (fails the test if it ends otherwise). */
async function refusal(p: Promise<unknown>): Promise<IdsFileError> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).name).toBe('IdsFileError');
    return e as IdsFileError;
  }
  throw new Error('the file was read, not refused');
}

/** Time, CPU time and resident memory a refusal costs. */
async function cost(
  p: () => Promise<unknown>,
): Promise<{ ms: number; cpuMs: number; rssMb: number; error: IdsFileError }> {
  const rss = process.memoryUsage().rss;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const error = await refusal(p());
  return {
    ms: performance.now() - start,
    cpuMs: cpuTimeMs(cpu),
    rssMb: (process.memoryUsage().rss - rss) / 1024 / 1024,
    error,
  };
}

/**
 * CPU time this process spent since `from`, in ms: what the read cost, whatever else the machine runs
 * (wall time on two shared cores under a second copy of the suite measures the machine, not the read).
 */
function cpuTimeMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

describe('the bounded Excel reader', () => {
  it('refuses a value in A1048576 at once, from the dimension, without walking the rows', async () => {
    // Loads the reader's modules and warms it up, so what is measured is the read.
    expect(await read(await idsXlsx('Customer', ['C1']))).toEqual(['C1']);
    const bomb = await lastRowBomb();
    expect(bomb.length).toBeLessThan(10_000);
    const { cpuMs, rssMb, error } = await cost(() => read(bomb));
    expect(error.message).toBe(
      'ids.xlsx uses rows down to row 1048576; an ID list can have at most 100,000 IDs below its header',
    );
    expect(error).toMatchObject({ status: 422, code: 'too_many_ids' });
    // Walking the million rows took seconds of CPU; the refusal takes a few ms.
    expect(cpuMs).toBeLessThan(200);
    expect(rssMb).toBeLessThan(50);
  });

  it('refuses the same file without a dimension as soon as the row appears', async () => {
    await read(await idsXlsx('Customer', ['C1']));
    const bomb = sheetXlsx(inlineRow(1, 'Customer') + inlineRow(1_048_576, 'x'));
    const { cpuMs, rssMb, error } = await cost(() => read(bomb));
    expect(error.message).toBe(
      'ids.xlsx has a value in row 1048576; an ID list can have at most 100,000 IDs below its header',
    );
    expect(error).toMatchObject({ status: 422, code: 'too_many_ids' });
    expect(cpuMs).toBeLessThan(200);
    expect(rssMb).toBeLessThan(50);
    // A cell naming a far row inside a near one, and rows numbered only by their order, are no way round.
    const cellOnly = sheetXlsx(`${inlineRow(1, 'Customer')}<row r="2"><c r="A200000"><v>1</v></c></row>`);
    expect((await refusal(read(cellOnly))).message).toMatch(/has a value in row 200000;/);
    const unnumbered = sheetXlsx(inlineRow(1, 'Customer') + '<row><c><v>1</v></c></row>'.repeat(5));
    expect((await refusal(read(unnumbered, { maxIds: 4 }))).message).toBe(
      'ids.xlsx has a value in row 6; an ID list can have at most 4 IDs below its header',
    );
  });

  it('takes exactly the most IDs allowed and refuses one more (422)', async () => {
    const ids = ['C1', 'C2', 'C3'];
    expect(await read(await idsXlsx('Customer', ids), { maxIds: 3 })).toEqual(ids);
    const e = await refusal(read(await idsXlsx('Customer', [...ids, 'C4']), { maxIds: 3 }));
    expect(e).toMatchObject({ status: 422, code: 'too_many_ids' });
    expect(e.message).toMatch(/at most 3 IDs below its header/);
  });

  it('refuses an ID longer than the limit, naming its row, whichever way the cell holds it', async () => {
    const long = 'X'.repeat(257);
    const ok = 'Y'.repeat(256);
    expect(await read(await idsXlsx('Customer', [ok]))).toEqual([ok]);
    const shared = await refusal(read(await idsXlsx('Customer', ['C1', long])));
    expect(shared.message).toBe('ids.xlsx: the ID in row 3 is longer than 256 characters');
    expect(shared).toMatchObject({ status: 422, code: 'id_too_long' });
    const inline = await refusal(read(sheetXlsx(inlineRow(1, 'Customer') + inlineRow(7, long))));
    expect(inline.message).toBe('ids.xlsx: the ID in row 7 is longer than 256 characters');
    // Padding is no ID: spaces around an ID of the right length do not count against it.
    const padded = sheetXlsx(
      inlineRow(1, 'Customer') + inlineRow(2, `${' '.repeat(5000)}${ok}${' '.repeat(5000)}`),
    );
    expect(await read(padded)).toEqual([ok]);
    // A value of megabytes is refused by its row without being held whole.
    const huge = sheetXlsx(
      `${inlineRow(1, 'Customer')}<row r="2"><c r="A2" t="str"><v>${'Z'.repeat(3_000_000)}</v></c></row>`,
    );
    expect((await refusal(read(huge))).message).toBe(
      'ids.xlsx: the ID in row 2 is longer than 256 characters',
    );
    // Excel holds at most 32,767 characters in a cell: a megabyte anywhere is no spreadsheet's.
    const elsewhere = sheetXlsx(
      `${inlineRow(1, 'Customer')}<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="str"><v>${'Z'.repeat(2_000_000)}</v></c></row>`,
    );
    expect(await refusal(read(elsewhere))).toMatchObject({
      code: 'not_xlsx',
      message: expect.stringMatching(/holds a single piece of text or markup over 1 MB$/),
    });
  });

  it('refuses from the zip directory alone an entry that declares it unpacks to more than the limit (413)', async () => {
    // Not deflate data at all: inflating it would fail differently, so a 413 proves nothing was inflated.
    const parts = workbookParts([{ title: 'IDs', path: 'worksheets/sheet1.xml', rows: '' }]);
    const big = zip([
      ...parts.filter((p) => p.name !== 'xl/worksheets/sheet1.xml'),
      {
        name: 'xl/worksheets/sheet1.xml',
        data: '',
        deflated: Buffer.from('not deflate data'),
        declaredSize: 3_000_000_000,
      },
    ]);
    const e = await refusal(read(big));
    expect(e).toMatchObject({ status: 413, code: 'too_large' });
    expect(e.message).toBe(
      'ids.xlsx unpacks to 2,862 MB (xl/worksheets/sheet1.xml); an Excel (.xlsx) ID file may unpack to at most 50 MB per part',
    );
    // Parts each under the limit but together over it, and too many parts, are refused the same way.
    const many = zip([
      ...parts,
      ...[1, 2, 3].map((i) => ({
        name: `xl/media/p${i}.bin`,
        data: '',
        deflated: Buffer.from('x'),
        declaredSize: 40 * 1024 * 1024,
      })),
    ]);
    expect(await refusal(read(many))).toMatchObject({
      status: 413,
      code: 'too_large',
      message: expect.stringMatching(/may unpack to at most 100 MB in all$/),
    });
    const crowded = await refusal(read(await idsXlsx('Customer', ['C1']), { maxZipEntries: 5 }));
    expect(crowded).toMatchObject({ status: 413, code: 'too_large' });
    expect(crowded.message).toMatch(/^ids\.xlsx holds \d+ files once unpacked; .* at most 5$/);
  });

  it('refuses an entry that inflates beyond the size it declares, and reads none of it', async () => {
    await read(await idsXlsx('Customer', ['C1']));
    // 20 MB of sheet that deflates to kilobytes and declares 2 KB: valid IDs first, so reading it would answer.
    const rows =
      inlineRow(1, 'Customer') + inlineRow(2, 'C1') + `<row r="3">${' '.repeat(20 * 1024 * 1024)}</row>`;
    const parts = workbookParts([{ title: 'IDs', path: 'worksheets/sheet1.xml', rows }]);
    const lying = zip(
      parts.map((p) => (p.name === 'xl/worksheets/sheet1.xml' ? { ...p, declaredSize: 2048 } : p)),
    );
    expect(lying.length).toBeLessThan(100_000);
    const { cpuMs, rssMb, error } = await cost(() => read(lying));
    expect(error).toMatchObject({ status: 422, code: 'not_xlsx' });
    expect(error.message).toMatch(
      /^ids\.xlsx is not a readable Excel \(\.xlsx\) file: xl\/worksheets\/sheet1\.xml: too many bytes in the stream/,
    );
    expect(cpuMs).toBeLessThan(200);
    expect(rssMb).toBeLessThan(50);
    // Stored (not deflated) with a size that does not match its bytes: refused from the directory.
    const small = workbookParts([
      { title: 'IDs', path: 'worksheets/sheet1.xml', rows: inlineRow(1, 'Customer') + inlineRow(2, 'C1') },
    ]);
    const stored = zip(
      small.map((p) => (p.name === 'xl/worksheets/sheet1.xml' ? { ...p, store: true, declaredSize: 20 } : p)),
    );
    expect(await refusal(read(stored))).toMatchObject({ status: 422, code: 'not_xlsx' });
  });

  it('reads shared strings (rich text joined, phonetic guides left out), inline strings, numbers and the other types', async () => {
    const rows = [
      inlineRow(1, 'Customer'),
      '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>3</v></c></row>',
      '<row r="3"><c r="A3" t="s"><v>1</v></c></row>',
      '<row r="4"><c r="A4" t="inlineStr"><is><r><t>IN</t></r><r><rPr><b/></rPr><t xml:space="preserve">LINE 1</t></r></is></c></row>',
      '<row r="5"><c r="A5"><v>42</v></c></row>',
      '<row r="6"><c r="A6" t="n"><v>4.5</v></c></row>',
      '<row r="7"><c r="A7"><v>1E+3</v></c></row>',
      '<row r="8"><c r="A8"><v>12345678901234567890</v></c></row>',
      '<row r="9"><c r="A9" t="str"><f>"F"&amp;"X"</f><v>FX</v></c></row>',
      '<row r="10"><c r="A10" t="b"><v>1</v></c></row>',
      '<row r="11"><c r="A11" t="e"><v>#N/A</v></c></row>',
      '<row r="12"><c r="A12" t="s"><v>2</v></c></row>',
      '<row r="13"><c r="A13"><f>1+1</f></c></row>',
      '<row r="14"><c r="A14" t="inlineStr"><is><t>&lt;&amp;&gt;</t></is></c></row>',
      '<row r="15"><c r="A15" t="str"><v><![CDATA[CD]]></v></c></row>',
    ].join('');
    const sharedStrings = [
      '<t>SHARED</t>',
      '<r><t>RI</t></r><r><rPr><i/></rPr><t>CH</t></r><rPh sb="0" eb="1"><t>ruby</t></rPh>',
      '<t xml:space="preserve">  PADDED  </t>',
      '<t>column B only</t>',
    ];
    expect(await read(sheetXlsx(rows, { sharedStrings }))).toEqual([
      'SHARED',
      'RICH',
      'INLINE 1',
      '42',
      '4.5',
      '1000',
      '12345678901234567890',
      'FX',
      'true',
      '#N/A',
      'PADDED',
      '<&>',
      'CD',
    ]);
  });

  it('places cells without a reference after the previous cell of their row, and rows without one after the previous row', async () => {
    const rows = [
      '<row><c t="inlineStr"><is><t>Customer</t></is></c><c t="inlineStr"><is><t>B1</t></is></c></row>',
      // No r: the first cell is A, the next B.
      '<row><c t="inlineStr"><is><t>A2</t></is></c><c t="inlineStr"><is><t>not A</t></is></c></row>',
      // After B5, an unnamed cell is C, not A.
      '<row r="5"><c r="B5" t="inlineStr"><is><t>B5</t></is></c><c t="inlineStr"><is><t>C5</t></is></c></row>',
      // After A7, an unnamed cell is B; the row after 7 without r is 8.
      '<row r="7"><c r="A7" t="inlineStr"><is><t>A7</t></is></c><c><v>99</v></c></row>',
      '<row><c><v>8</v></c></row>',
    ].join('');
    expect(await read(sheetXlsx(rows))).toEqual(['A2', 'A7', '8']);
    // The header's row counts too: an ID list with its header in row 2 is refused by its header.
    const late = sheetXlsx(
      `<row r="2"><c r="A2" t="inlineStr"><is><t>Customer</t></is></c></row>${inlineRow(3, 'C1')}`,
    );
    expect((await refusal(read(late))).code).toBe('wrong_header');
  });

  it('reads the first sheet in the workbook’s order, wherever its part is', async () => {
    const book = zip(
      workbookParts([
        {
          title: 'IDs',
          path: 'worksheets/sheet2.xml',
          rows: inlineRow(1, 'Customer') + inlineRow(2, 'FIRST'),
        },
        {
          title: 'Notes',
          path: 'worksheets/sheet1.xml',
          rows: inlineRow(1, 'Customer') + inlineRow(2, 'SECOND'),
        },
      ]),
    );
    expect(await read(book)).toEqual(['FIRST']);
    // A relationship target may be absolute, and the part anywhere (no sheet1.xml to fall back on).
    const absolute = zip(
      workbookParts([
        { title: 'IDs', path: 'elsewhere/list.xml', rows: inlineRow(1, 'Customer') + inlineRow(2, 'C1') },
      ]).map((p) =>
        p.name === 'xl/_rels/workbook.xml.rels'
          ? { ...p, data: String(p.data).replace('Target="elsewhere/', 'Target="/xl/elsewhere/') }
          : p,
      ),
    );
    expect(await read(absolute)).toEqual(['C1']);
    // An ExcelJS workbook with two sheets: the first added is the one read.
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('IDs').addRows([['Customer'], ['ONE']]);
    wb.addWorksheet('Other').addRows([['Customer'], ['TWO']]);
    expect(await read(Buffer.from(await wb.xlsx.writeBuffer()))).toEqual(['ONE']);
  });

  it('falls back to sheet1.xml without a workbook part, and says so when there is no sheet at all', async () => {
    const parts = workbookParts([
      { title: 'IDs', path: 'worksheets/sheet1.xml', rows: inlineRow(1, 'Customer') + inlineRow(2, 'C1') },
    ]).filter((p) => !p.name.startsWith('xl/workbook') && !p.name.startsWith('xl/_rels'));
    expect(await read(zip(parts))).toEqual(['C1']);
    const none = await refusal(read(zip(parts.filter((p) => !p.name.startsWith('xl/worksheets')))));
    expect(none).toMatchObject({ status: 422, code: 'no_worksheet', message: 'ids.xlsx has no worksheet' });
  });

  it('reads no further into the shared strings than the last one column A needs', async () => {
    const rows = inlineRow(1, 'Customer') + '<row r="2"><c r="A2" t="s"><v>1</v></c></row>';
    const book = zip(
      workbookParts(
        [{ title: 'IDs', path: 'worksheets/sheet1.xml', rows }],
        ['<t>zero</t>', '<t>ONE</t>'],
      ).map((p) =>
        p.name === 'xl/sharedStrings.xml'
          ? { ...p, data: String(p.data).replace('</sst>', '<si><t>two</t></si><broken') }
          : p,
      ),
    );
    expect(await read(book)).toEqual(['ONE']);
    // A reference to a string the file does not have is the file's fault, said as such.
    const missing = sheetXlsx(inlineRow(1, 'Customer') + '<row r="2"><c r="A2" t="s"><v>5</v></c></row>', {
      sharedStrings: ['<t>zero</t>'],
    });
    expect(await refusal(read(missing))).toMatchObject({
      status: 422,
      code: 'not_xlsx',
      message: expect.stringMatching(/the cell A2 refers to shared text 5, which it lacks$/),
    });
  });

  it('refuses what is not a worksheet: broken XML, entities it does not define, absurd nesting', async () => {
    const broken = sheetXlsx(`${inlineRow(1, 'Customer')}<row r="2"><c r="A2"><v>1</v></row>`);
    expect(await refusal(read(broken))).toMatchObject({ status: 422, code: 'not_xlsx' });
    const entity = sheetXlsx(inlineRow(1, 'Customer') + inlineRow(2, '&lol;'));
    expect(await refusal(read(entity))).toMatchObject({ status: 422, code: 'not_xlsx' });
    const deep = sheetXlsx(`${inlineRow(1, 'Customer')}${'<x>'.repeat(10_000)}${'</x>'.repeat(10_000)}`);
    expect(await refusal(read(deep))).toMatchObject({
      code: 'not_xlsx',
      message: expect.stringMatching(/nests deeper than any worksheet$/),
    });
  });

  it('refuses an upload larger than the limit before opening it (413)', async () => {
    const e = await refusal(read(await idsXlsx('Customer', ['C1']), { maxUploadBytes: 1000 }));
    expect(e).toMatchObject({ status: 413, code: 'too_large' });
    expect(e.message).toMatch(/^ids\.xlsx is [\d.]+ KB; an ID file can be at most 1,000 bytes$/);
  });
});
