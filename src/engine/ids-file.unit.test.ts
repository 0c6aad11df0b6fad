import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parseFilterDate, readIdsFile } from './ids-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ids-'));

async function xlsx(name: string, rows: unknown[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  for (const r of rows) ws.addRow(r);
  const path = join(dir, name);
  await wb.xlsx.writeFile(path);
  return path;
}

describe('ID files', () => {
  it('reads the first column of an Excel file below its header, trimming and de-duplicating', async () => {
    const path = await xlsx('ok.xlsx', [
      ['Customer', 'ignored'],
      ['C001', 'x'],
      [' C002 '],
      [null],
      ['C001'],
      [42],
    ]);
    expect(await readIdsFile(path, 'Customer')).toEqual(['C001', 'C002', '42']);
  });

  it('reads CSV with quotes and a BOM', async () => {
    const path = join(dir, 'ok.csv');
    writeFileSync(path, '\uFEFFInventoryID,Name\r\n"AA,1",x\r\nBB-2,y\r\n\r\n');
    expect(await readIdsFile(path, 'InventoryID')).toEqual(['AA,1', 'BB-2']);
  });

  it('names the header it expected and the one it found', async () => {
    const path = await xlsx('bad.xlsx', [['Cust'], ['C001']]);
    await expect(readIdsFile(path, 'Customer')).rejects.toThrow(
      'bad.xlsx: the first row must be the header "Customer" with the IDs below it in the first column (found "Cust")',
    );
  });

  it('says when a file is not Excel at all, or has no IDs, or is missing', async () => {
    const fake = join(dir, 'fake.xlsx');
    writeFileSync(fake, 'this is not a zip');
    await expect(readIdsFile(fake, 'Customer')).rejects.toThrow(
      /^fake\.xlsx is not a readable Excel \(\.xlsx\) file/,
    );
    const empty = await xlsx('empty.xlsx', [['Customer']]);
    await expect(readIdsFile(empty, 'Customer')).rejects.toThrow(
      'empty.xlsx has the header "Customer" but no IDs below it',
    );
    await expect(readIdsFile(join(dir, 'nope.csv'), 'Customer')).rejects.toThrow(
      'nope.csv cannot be read (ENOENT)',
    );
    await expect(readIdsFile(join(dir, 'ids.pdf'), 'Customer')).rejects.toThrow(
      /cannot be read|upload an Excel/,
    );
  });

  it('parses filter dates with a zone and refuses ambiguous or impossible ones', () => {
    expect(parseFilterDate('2026-03-01', '--since')).toBe('2026-03-01T00:00:00.000Z');
    expect(parseFilterDate('2026-03-01', '--until', true)).toBe('2026-03-01T23:59:59.999Z');
    expect(parseFilterDate('2026-03-01T10:00:00+02:00', '--since')).toBe('2026-03-01T08:00:00.000Z');
    expect(() => parseFilterDate('2026-03-01T10:00:00', '--since')).toThrow(
      '--since "2026-03-01T10:00:00" has no zone',
    );
    expect(() => parseFilterDate('01/03/2026', '--since')).toThrow(
      '--since "01/03/2026" is not a date; use YYYY-MM-DD',
    );
    expect(() => parseFilterDate('2026-02-30', '--until')).toThrow('--until "2026-02-30" is not a real date');
  });
});
