import { describe, expect, it } from 'vitest';
import { loadSpec } from './conformance.js';

describe('conformance: bodies the server lays over the stored record', () => {
  const CUSTOMER = '#/definitions/customer-data-customer-interface';
  const strict = loadSpec('magento2/admin-schema-2.4.8.yaml');
  const merged = loadSpec('magento2/admin-schema-2.4.8.yaml', {
    mergedBodies: [{ method: 'PUT', template: '/V1/customers/{customerId}', ref: CUSTOMER }],
  });
  const partial = {
    customer: { id: 7, custom_attributes: [{ attribute_code: 'credit_limit', value: '1' }] },
  };

  it('a PUT of only the changed fields passes where the server merges, and fails where it does not', () => {
    const put = { method: 'PUT', path: '/V1/customers/7', body: partial };
    expect(merged.checkRequest(put)).toEqual([]);
    expect(strict.checkRequest(put).join()).toMatch(/must have required property 'email'/);
  });

  it('a create still needs what the schema requires, and a merged body is still typed', () => {
    expect(merged.checkRequest({ method: 'POST', path: '/V1/customers', body: partial }).join()).toMatch(
      /must have required property/,
    );
    const badType = { customer: { id: 'seven', firstname: 3 } };
    expect(merged.checkRequest({ method: 'PUT', path: '/V1/customers/7', body: badType })).not.toEqual([]);
  });
});
