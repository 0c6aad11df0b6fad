import { Decimal } from 'decimal.js';
import type { Invoice } from './invoice.js';

/**
 * Where an invoice's lines and its header disagree, in words a person can check against the source,
 * or undefined when they agree to the cent: Σ line net = net total, Σ line tax = tax total, net + tax
 * = total. An accounting system keeps both, so a difference means its data is damaged (a corrupt Sage
 * data file) or a line kind the reader does not take — either way the CRM must not get a document
 * whose lines say one amount and whose total another.
 */
export function linesDisagreeWithHeader(
  inv: Pick<Invoice, 'lines' | 'netTotal' | 'taxTotal' | 'total'>,
): string | undefined {
  const c = (v: Decimal.Value) => new Decimal(v).toFixed(2);
  const sum = (f: (l: Invoice['lines'][number]) => string) =>
    inv.lines.reduce((s, l) => s.plus(f(l)), new Decimal(0));
  const net = sum((l) => l.total.amount);
  const tax = sum((l) => l.tax.amount);
  const problems: string[] = [];
  if (!net.equals(inv.netTotal.amount))
    problems.push(`its lines' net comes to ${c(net)} but its net total is ${c(inv.netTotal.amount)}`);
  if (!tax.equals(inv.taxTotal.amount))
    problems.push(`its lines' tax comes to ${c(tax)} but its tax total is ${c(inv.taxTotal.amount)}`);
  if (!new Decimal(inv.netTotal.amount).plus(inv.taxTotal.amount).equals(inv.total.amount))
    problems.push(
      `its net ${c(inv.netTotal.amount)} and tax ${c(inv.taxTotal.amount)} do not make its total ${c(inv.total.amount)}`,
    );
  return problems.length ? problems.join('; ') : undefined;
}
