import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLedgerlinkError } from '../sdk/errors.js';
import { MagentoWebhook, SIGNATURE_HEADER, signedContent } from './webhook.js';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const HEADER = 'x-ledgerlink-webhook-token';

const signed = (rawBody: string, key = pair.privateKey) => ({
  headers: { [SIGNATURE_HEADER]: sign('sha256', signedContent(rawBody), key).toString('base64') },
  rawBody,
});
const body = (eventName: string, data: unknown) => JSON.stringify({ eventName, data });
const order = body('sales_order_save_after', {
  order: { entity_id: 42, increment_id: '000000042', updated_at: '2026-03-01 10:00:00' },
});

describe('Magento webhook handler', () => {
  const byKey = new MagentoWebhook({ webhookPublicKey: publicPem, webhookSecretHeader: HEADER });

  it('accepts a body signed with the store key, and nothing else', () => {
    expect(byKey.verify(signed(order))).toBeUndefined();
    // One character changed after signing.
    const tampered = { ...signed(order), rawBody: order.replace('"entity_id":42', '"entity_id":43') };
    expect(byKey.verify(tampered)).toMatch(/signature does not match the body/);
    expect(byKey.verify(signed(order, other))).toMatch(/signature does not match the body/);
    // Adobe Commerce signs the body's base64 text; a signature over the raw bytes is not its.
    const overBytes = sign('sha256', Buffer.from(order), pair.privateKey).toString('base64');
    expect(byKey.verify({ headers: { [SIGNATURE_HEADER]: overBytes }, rawBody: order })).toMatch(
      /signature does not match the body/,
    );
    expect(byKey.verify({ headers: {}, rawBody: order })).toMatch(
      /has no x-adobe-commerce-webhook-signature header/,
    );
    expect(byKey.verify({ headers: { [SIGNATURE_HEADER]: '%%%not base64' }, rawBody: order })).toMatch(
      /does not match/,
    );
    // Header names are compared without regard to case.
    const upper = signed(order);
    expect(
      byKey.verify({
        headers: { 'X-Adobe-Commerce-Webhook-Signature': upper.headers[SIGNATURE_HEADER] },
        rawBody: order,
      }),
    ).toBeUndefined();
  });

  it('a key pasted on one line with \\n still verifies; a key that is no PEM says so', () => {
    const oneLine = new MagentoWebhook({
      webhookPublicKey: publicPem.replace(/\n/g, '\\n'),
      webhookSecretHeader: HEADER,
    });
    expect(oneLine.verify(signed(order))).toBeUndefined();
    const bad = new MagentoWebhook({ webhookPublicKey: 'not a key', webhookSecretHeader: HEADER });
    expect(bad.verify(signed(order))).toMatch(/^webhookPublicKey is not a PEM public key/);
  });

  it('without a key, the shared token in the configured header; with neither, says what to configure', () => {
    const byToken = new MagentoWebhook({ webhookSecret: 's3cret', webhookSecretHeader: HEADER });
    expect(byToken.verify({ headers: { [HEADER]: 's3cret' }, rawBody: order })).toBeUndefined();
    expect(byToken.verify({ headers: { [HEADER]: 's3cret!' }, rawBody: order })).toMatch(
      /does not carry the connection's webhook token/,
    );
    expect(byToken.verify({ headers: {}, rawBody: order })).toMatch(
      /has no x-ledgerlink-webhook-token header/,
    );
    const none = new MagentoWebhook({ webhookSecretHeader: HEADER });
    expect(none.verify(signed(order))).toMatch(
      /cannot be verified: set webhookPublicKey .* or webhookSecret/,
    );
  });

  it('names the record that changed; Adobe sends no delivery id', () => {
    expect(byKey.parse(signed(order))).toEqual([
      { entity: 'salesOrder', id: '42', kind: 'upsert', occurredAt: '2026-03-01T10:00:00.000Z' },
    ]);
    expect(byKey.deliveryId(signed(order))).toBeUndefined();
    const customer = body('observer.customer_save_after', { customer: { id: 7, email: 'a@b.c' } });
    expect(byKey.parse({ headers: {}, rawBody: customer })).toEqual([
      { entity: 'customer', id: '7', kind: 'upsert' },
    ]);
    const product = body('catalog_product_save_after', { product: { sku: 'MAG00001', id: 3 } });
    expect(byKey.parse({ headers: {}, rawBody: product })).toEqual([
      { entity: 'product', id: 'MAG00001', kind: 'upsert' },
    ]);
    // A shipment or an invoice saved changes its order.
    const shipped = body('observer.sales_order_shipment_save_after', {
      shipment: { entity_id: 3, order_id: 8 },
    });
    expect(byKey.parse({ headers: {}, rawBody: shipped })).toEqual([
      { entity: 'salesOrder', id: '8', kind: 'upsert' },
    ]);
    const placed = body('sales_order_place_after', { order: { entity_id: 5 } });
    expect(byKey.parse({ headers: {}, rawBody: placed })[0]).toMatchObject({ entity: 'salesOrder', id: '5' });
  });

  it('a body that is not an Adobe Commerce webhook is a rejected parse error', () => {
    const fails = (rawBody: string) => {
      try {
        byKey.parse({ headers: {}, rawBody });
      } catch (e) {
        expect(isLedgerlinkError(e)).toBe(true);
        return e as { code: string; category: string; message: string };
      }
      throw new Error('parse accepted it');
    };
    expect(fails('not json')).toMatchObject({
      code: 'parse',
      category: 'rejected',
      message: 'the Magento webhook body is not JSON',
    });
    expect(fails('{"order": {"entity_id": 1}}').message).toMatch(/not an Adobe Commerce webhook/);
    expect(fails(body('checkout_cart_add_product_complete', { product: {} })).message).toMatch(
      /does not handle the Magento event checkout_cart_add_product_complete/,
    );
    expect(fails(body('sales_order_save_after', { order: { increment_id: '1' } })).message).toMatch(
      /does not say which record changed \(no data.order with its id\)/,
    );
  });
});
