import { describe, expect, it } from 'vitest';
import { isLedgerlinkError } from '../sdk/errors.js';
import { acumaticaWebhook } from './webhook.js';

const settings = {
  webhookHeaderName: 'X-Ledgerlink-Token',
  webhookHeaderValue: 's3cret',
  orderTypes: ['SO'],
};
const push = (body: unknown, headers: Record<string, string> = { 'x-ledgerlink-token': 's3cret' }) => ({
  headers,
  rawBody: typeof body === 'string' ? body : JSON.stringify(body),
});
const notification = (query: string, inserted: unknown[], deleted: unknown[] = []) => ({
  Inserted: inserted,
  Deleted: deleted,
  Query: query,
  CompanyId: 'Company',
  Id: '1c7b6f44-0d0c-4d43-9f4a-8f0e8d0f6b11',
  TimeStamp: 638_712_345_678,
  AdditionalInfo: {},
});

describe('Acumatica push notifications', () => {
  it('accepts only the configured header value, whatever the header case', () => {
    const h = acumaticaWebhook(settings);
    const body = notification('LL-SalesOrders', []);
    expect(h.verify(push(body))).toBeUndefined();
    expect(h.verify(push(body, { 'X-LEDGERLINK-TOKEN': 's3cret' }))).toBeUndefined();
    expect(h.verify(push(body, { 'x-ledgerlink-token': 's3cre' }))).toMatch(/does not carry/);
    expect(h.verify(push(body, {}))).toMatch(/has no X-Ledgerlink-Token header/);
  });

  it('refuses every push while the connection has no header value, saying what to set', () => {
    const h = acumaticaWebhook({ ...settings, webhookHeaderValue: undefined });
    expect(h.verify(push(notification('LL-SalesOrders', [])))).toMatch(/no webhookHeaderValue: set one/);
  });

  it('names a delivery by inquiry and transaction', () => {
    const h = acumaticaWebhook(settings);
    expect(h.deliveryId(push(notification('LL-Shipments', [])))).toBe(
      'LL-Shipments:1c7b6f44-0d0c-4d43-9f4a-8f0e8d0f6b11',
    );
    expect(h.deliveryId(push('not json'))).toBeUndefined();
  });

  it('an update is an upsert of the row; a row only among the Deleted is a delete', () => {
    const h = acumaticaWebhook(settings);
    const events = h.parse(
      push(
        notification(
          'LL-SalesOrders',
          [
            {
              OrderType: 'SO',
              OrderNbr: 'SO000002',
              Status: 'Shipping',
              LastModifiedDateTime: '2026-03-01T10:00:00+02:00',
            },
            { OrderType: 'QT', OrderNbr: 'QT000001', Status: 'Open' },
          ],
          [
            { OrderType: 'SO', OrderNbr: 'SO000002', Status: 'Open' },
            { OrderType: 'SO', OrderNbr: 'SO000009', Status: 'Open' },
          ],
        ),
      ),
    );
    // The quote is of a type this connection does not read.
    expect(events).toEqual([
      { entity: 'salesOrder', id: 'SO000002', kind: 'upsert', occurredAt: '2026-03-01T08:00:00.000Z' },
      { entity: 'salesOrder', id: 'SO000009', kind: 'delete' },
    ]);
  });

  it('recognises inquiries with other names by their key columns, prefixed or not', () => {
    const h = acumaticaWebhook(settings);
    const parse = (rows: unknown[]) => h.parse(push(notification('MyInquiry', rows)));
    expect(parse([{ SOShipment_ShipmentNbr: '000004', Status: 'Confirmed' }])).toEqual([
      { entity: 'shipment', id: '000004', kind: 'upsert' },
    ]);
    expect(parse([{ Type: 'Invoice', ReferenceNbr: 'AR000007' }])[0]).toMatchObject({
      entity: 'invoice',
      id: 'AR000007',
    });
    // Every sales invoice document type, by label or by the code an inquiry may show.
    expect(parse([{ DocType: 'CRM', ReferenceNbr: 'AR000008' }])[0]).toMatchObject({
      entity: 'invoice',
      id: 'AR000008',
    });
    expect(parse([{ Type: 'Cash Sale', ReferenceNbr: 'AR000009' }])[0]).toMatchObject({ entity: 'invoice' });
    expect(parse([{ DocType: 'PMT', ReferenceNbr: '000003' }])[0]).toMatchObject({
      entity: 'payment',
      id: '000003',
    });
    expect(parse([{ CustomerID: 'C000001' }])[0]).toMatchObject({ entity: 'customer', id: 'C000001' });
    expect(parse([{ InventoryID: 'ITEM00002' }])[0]).toMatchObject({ entity: 'product', id: 'ITEM00002' });
    expect(parse([{ OrderNbr: 'SO000001', CustomerID: 'C000001' }])[0]).toMatchObject({
      entity: 'salesOrder',
    });
    expect(() => parse([{ Something: 'else' }])).toThrow(/name no record Ledgerlink reads/);
  });

  it('a body that is not a push notification is a parse error, rejected', () => {
    const h = acumaticaWebhook(settings);
    for (const body of [
      '{',
      '[]',
      { Inserted: [] },
      { Query: 'LL-Customers', Inserted: 'x' },
      { Query: 'LL-Customers' },
    ]) {
      let thrown: unknown;
      try {
        h.parse(push(body));
      } catch (e) {
        thrown = e;
      }
      expect(isLedgerlinkError(thrown), JSON.stringify(body)).toBe(true);
      expect(thrown).toMatchObject({ code: 'parse', category: 'rejected' });
    }
  });
});
