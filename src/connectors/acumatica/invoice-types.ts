/**
 * The document types of Acumatica's sales invoices (the SalesInvoice entity, screen SO303000, and the
 * AR documents it shares numbering with), by the label the API returns and the code a generic inquiry
 * may show instead. Credit documents give money back: canonically they are credit notes.
 */
export const INVOICE_TYPES: Readonly<Record<string, string>> = {
  INV: 'Invoice',
  DRM: 'Debit Memo',
  CRM: 'Credit Memo',
  SMC: 'Credit WO',
  CSL: 'Cash Sale',
  RCS: 'Cash Return',
};

export const INVOICE_TYPE_LABELS: readonly string[] = Object.values(INVOICE_TYPES);

const CREDIT_TYPES = new Set(['Credit Memo', 'Credit WO', 'Cash Return']);

export const isCreditType = (label: string | undefined): boolean => CREDIT_TYPES.has(label ?? '');

/** A document type as an inquiry or the API shows it: its label (codes are turned into labels). */
export const invoiceTypeLabel = (t: string | undefined): string | undefined =>
  t === undefined ? undefined : (INVOICE_TYPES[t] ?? t);
