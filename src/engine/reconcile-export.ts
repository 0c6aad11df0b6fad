import ExcelJS from 'exceljs';
import type { ReconcileReport } from './reconcile.js';
import { shown } from './reconcile-compare.js';

const FINDING_COLUMNS = [
  'kind',
  'source id',
  'target id',
  'field',
  'source value',
  'target value',
  'accepted by',
  'accepted why',
  'message',
  'key',
  'fingerprint',
] as const;
const TOTAL_COLUMNS = [
  'day',
  'currency',
  'source count',
  'source amount',
  'target count',
  'target amount',
  'differs',
] as const;

/** One row per differing field (one per finding without fields): what a spreadsheet filters on. */
function findingRows(r: ReconcileReport): string[][] {
  return r.findings.flatMap((f) => {
    const base = (field: string, s: string, t: string) => [
      f.kind,
      f.sourceId ?? '',
      f.targetId ?? '',
      field,
      s,
      t,
      f.accepted?.by ?? '',
      f.accepted?.reason ?? '',
      f.message,
      f.key,
      f.fingerprint,
    ];
    return f.diffs.length
      ? f.diffs.map((d) => base(d.path, shown(d.source), shown(d.target)))
      : [base('', '', '')];
  });
}

const totalRows = (r: ReconcileReport): string[][] =>
  r.totals.map((t) => [
    t.day,
    t.currency,
    String(t.source.count),
    t.source.amount,
    String(t.target.count),
    t.target.amount,
    t.differs ? 'yes' : 'no',
  ]);

/**
 * A cell as CSV: quoted when needed, and text a spreadsheet would run as a formula (=, +, -, @)
 * prefixed with a quote mark — values come from other systems. Amounts ("-5.00", "-5.00 USD") are left as they are.
 */
function cell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) && !/^-?\d+(\.\d+)?( [A-Z]{3})?$/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The findings, then a blank line and the totals per day and currency: one file a person opens anywhere. */
export function reconcileCsv(r: ReconcileReport): string {
  const lines = [
    FINDING_COLUMNS.join(','),
    ...findingRows(r).map((row) => row.map(cell).join(',')),
    '',
    TOTAL_COLUMNS.join(','),
    ...totalRows(r).map((row) => row.map(cell).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** A workbook with a Findings and a Totals sheet; amounts stay text so no cent is lost to a float. */
export async function reconcileXlsx(r: ReconcileReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const findings = wb.addWorksheet('Findings');
  findings.addRow([...FINDING_COLUMNS]);
  for (const row of findingRows(r)) findings.addRow(row);
  const totals = wb.addWorksheet('Totals');
  totals.addRow([...TOTAL_COLUMNS]);
  for (const row of totalRows(r)) totals.addRow(row);
  for (const ws of [findings, totals]) ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
