import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { IDS_FILE_LIMITS, type IdsFileError, parseFilterDate, readIdsFile } from './ids-file.js';

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

  it('gives each refusal a status and a stable code', async () => {
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => expect.unreachable('the file was read'),
        (e: IdsFileError) => ({ status: e.status, code: e.code }),
      );
    const bad = await xlsx('bad2.xlsx', [['Cust'], ['C001']]);
    expect(await fail(readIdsFile(bad, 'Customer'))).toEqual({ status: 422, code: 'wrong_header' });
    const empty = await xlsx('empty2.xlsx', [['Customer']]);
    expect(await fail(readIdsFile(empty, 'Customer'))).toEqual({ status: 422, code: 'no_ids' });
    const fake = join(dir, 'fake2.xlsx');
    writeFileSync(fake, 'this is not a zip');
    expect(await fail(readIdsFile(fake, 'Customer'))).toEqual({ status: 422, code: 'not_xlsx' });
    expect(await fail(readIdsFile(join(dir, 'nope.csv'), 'Customer'))).toEqual({
      status: 400,
      code: 'unreadable',
    });
    expect(await fail(readIdsFile(join(dir, 'ids.pdf'), 'Customer'))).toEqual({
      status: 400,
      code: 'unsupported_type',
    });
    mkdirSync(join(dir, 'folder.csv'));
    await expect(readIdsFile(join(dir, 'folder.csv'), 'Customer')).rejects.toThrow(
      'folder.csv cannot be read (it is not a file)',
    );
  });

  it('bounds a CSV: lines past the limit, an ID too long, a file too large', async () => {
    const limits = { ...IDS_FILE_LIMITS, maxIds: 3 };
    const csv = (text: string) => readIdsFile('ids.csv', 'Customer', Buffer.from(text), limits);
    // Exactly the limit, with the blank lines editors leave at the end.
    expect(await csv('Customer\nA\nB\nC\n\n\r\n  \n')).toEqual(['A', 'B', 'C']);
    await expect(csv('Customer\nA\nB\nC\nD\n')).rejects.toMatchObject({
      status: 422,
      code: 'too_many_ids',
      message: 'ids.csv goes on past line 4; an ID list can have at most 3 IDs below its header',
    });
    // Blank lines in between count as lines, as rows do in a sheet.
    await expect(csv('Customer\n\n\nA\nB\n')).rejects.toMatchObject({ code: 'too_many_ids' });
    await expect(csv(`Customer\nA\n"${'x'.repeat(257)}",y\n`)).rejects.toMatchObject({
      status: 422,
      code: 'id_too_long',
      message: 'ids.csv: the ID in line 3 is longer than 256 characters',
    });
    expect(await csv(`Customer\n${'x'.repeat(256)}\n`)).toEqual(['x'.repeat(256)]);
    const big = Buffer.alloc(IDS_FILE_LIMITS.maxUploadBytes + 1, 'a');
    await expect(readIdsFile('ids.csv', 'Customer', big)).rejects.toMatchObject({
      status: 413,
      code: 'too_large',
      message: 'ids.csv is 5.1 MB; an ID file can be at most 5 MB',
    });
  });

  it('refuses a file on disk by its size before reading it', async () => {
    // Sparse: 8 GB on paper, nothing on disk; reading it would take seconds and all the memory.
    const path = join(dir, 'huge.csv');
    writeFileSync(path, 'Customer\nC1\n');
    truncateSync(path, 8 * 1024 ** 3);
    const start = performance.now();
    await expect(readIdsFile(path, 'Customer')).rejects.toMatchObject({
      status: 413,
      code: 'too_large',
      message: 'huge.csv is 8,192 MB; an ID file can be at most 5 MB',
    });
    expect(performance.now() - start).toBeLessThan(100);
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
