/**
 * The canonical line number of a sale line: its place (from 1) among the sale's product lines in
 * Tryton's order (sequence, then id), leaving out comment lines and the shipping cost line, which
 * are not order lines anywhere else. Orders, shipments and invoices number a sale line alike, so a
 * shipment's orderLineNumber names the line the order read gave that number. Sales Ledgerlink
 * creates keep the web order's line numbers as sequences, so their places are the web order's.
 */
export interface SaleLineShape {
  id: number;
  type?: string;
  'product.'?: { code?: string | null } | null;
}

export const isShippingLine = (l: SaleLineShape, shippingProduct: string): boolean =>
  (l['product.']?.code ?? undefined) === shippingProduct;

/** An order line: a line of type "line" that is not the shipping cost. */
export const isOrderLine = (l: SaleLineShape, shippingProduct: string): boolean =>
  (l.type ?? 'line') === 'line' && !isShippingLine(l, shippingProduct);

/** Sale line id → canonical line number, for lines given in Tryton's order. */
export function lineNumbers(lines: readonly SaleLineShape[], shippingProduct: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of lines) if (isOrderLine(l, shippingProduct)) out.set(l.id, out.size + 1);
  return out;
}

/** Where a sale line belongs: its sale and its canonical line number. */
export interface SaleLineRef {
  sale: number;
  lineNumber?: number;
}

/** Lines of several sales, in Tryton's order, → each line's sale and number. */
export function saleLineRefs(
  lines: ReadonlyArray<SaleLineShape & { sale?: number }>,
  shippingProduct: string,
): Map<number, SaleLineRef> {
  const bySale = new Map<number, Array<SaleLineShape & { sale?: number }>>();
  for (const l of lines) {
    if (typeof l.sale !== 'number') continue;
    const list = bySale.get(l.sale) ?? [];
    list.push(l);
    bySale.set(l.sale, list);
  }
  const out = new Map<number, SaleLineRef>();
  for (const [sale, list] of bySale) {
    const numbers = lineNumbers(list, shippingProduct);
    for (const l of list) {
      const n = numbers.get(l.id);
      out.set(l.id, n === undefined ? { sale } : { sale, lineNumber: n });
    }
  }
  return out;
}
