import { describe, expect, it } from 'vitest';
import { Customer, Product } from '../../model/index.js';
import { magentoMessage } from './client.js';
import { customerToMagento, mergeCustomer } from './mappers/customer.js';
import { productParts, stockQuantity } from './mappers/product.js';
import { fromMagentoTime, searchParams, toMagentoTime } from './search-criteria.js';

const settings = { websiteId: 2, storeId: 3, defaultGroupId: 1, baseCurrency: 'USD' };

describe('Magento mapping and protocol details', () => {
  it('flattens search criteria into bracketed parameters', () => {
    const p = searchParams({
      groups: [
        [{ field: 'email', value: 'a@x.com,b@x.com', condition: 'in' }],
        [{ field: 'website_id', value: '1' }],
      ],
      sort: [{ field: 'entity_id', direction: 'ASC' }],
      pageSize: 50,
      currentPage: 2,
    });
    expect(Object.fromEntries(p)).toEqual({
      'searchCriteria[filterGroups][0][filters][0][field]': 'email',
      'searchCriteria[filterGroups][0][filters][0][value]': 'a@x.com,b@x.com',
      'searchCriteria[filterGroups][0][filters][0][conditionType]': 'in',
      'searchCriteria[filterGroups][1][filters][0][field]': 'website_id',
      'searchCriteria[filterGroups][1][filters][0][value]': '1',
      'searchCriteria[filterGroups][1][filters][0][conditionType]': 'eq',
      'searchCriteria[sortOrders][0][field]': 'entity_id',
      'searchCriteria[sortOrders][0][direction]': 'ASC',
      'searchCriteria[pageSize]': '50',
      'searchCriteria[currentPage]': '2',
    });
  });

  it('Magento time is UTC without a zone', () => {
    expect(toMagentoTime('2026-01-02T03:04:05.678+02:00')).toBe('2026-01-02 01:04:05');
    expect(fromMagentoTime('2026-01-02 01:04:05')).toBe('2026-01-02T01:04:05.000Z');
  });

  it('fills named and positional placeholders, in every form Magento and its spec use', () => {
    expect(
      magentoMessage({
        message: 'No such entity with %fieldName = %fieldValue',
        parameters: { fieldName: 'customerId', fieldValue: '9' },
      }),
    ).toBe('No such entity with customerId = 9');
    expect(
      magentoMessage({
        message: 'No such entity with %fieldName = %fieldValue',
        parameters: [{ fieldName: 'customerId', fieldValue: '9' }],
      }),
    ).toBe('No such entity with customerId = 9');
    expect(magentoMessage({ message: 'The "%1" attribute value is empty.', parameters: ['price'] })).toBe(
      'The "price" attribute value is empty.',
    );
    expect(
      magentoMessage({
        message: 'Validation failed',
        errors: [{ message: '"%fieldName" is required.', parameters: [{ fieldName: 'city' }] }],
      }),
    ).toBe('Validation failed; "city" is required.');
  });

  it('splits a company name when there is no contact, and marks default addresses', () => {
    const c = Customer.parse({
      number: 'C1',
      name: 'Acme Trading Co',
      email: 'a@x.com',
      currency: 'USD',
      addresses: [
        { kind: 'main', line1: '1 A St', city: 'X', postalCode: '1', country: 'US', phone: '5' },
        { kind: 'shipping', line1: '2 B St', city: 'Y', postalCode: '2', country: 'US', phone: '6' },
      ],
      updatedAt: '2026-01-01T00:00:00Z',
    });
    const m = customerToMagento(c, settings);
    expect(m).toMatchObject({ firstname: 'Acme Trading', lastname: 'Co', website_id: 2, store_id: 3 });
    expect(m.addresses?.map((a) => [a.default_billing, a.default_shipping])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(m.custom_attributes).toContainEqual({ attribute_code: 'erp_customer_number', value: 'C1' });
  });

  it('a merge changes only the owned parts', () => {
    const c = Customer.parse({
      number: 'C1',
      name: 'New Name',
      email: 'new@x.com',
      currency: 'USD',
      onHold: true,
      creditLimit: { amount: '10.10', currency: 'USD' },
      updatedAt: '2026-01-01T00:00:00Z',
    });
    const current = {
      id: 5,
      email: 'old@x.com',
      firstname: 'Old',
      lastname: 'Name',
      custom_attributes: [
        { attribute_code: 'favourite', value: 'blue' },
        { attribute_code: 'credit_limit', value: '1.00' },
      ],
    };
    const merged = mergeCustomer(current, c, ['creditLimit'], settings);
    expect(merged).toMatchObject({ email: 'old@x.com', firstname: 'Old' });
    expect(merged.custom_attributes).toEqual([
      { attribute_code: 'favourite', value: 'blue' },
      { attribute_code: 'credit_limit', value: '10.10' },
    ]);
  });

  it('stock adds up exactly and product updates carry only owned attributes', () => {
    const p = Product.parse({
      sku: 'S',
      name: 'N',
      listPrice: { amount: '0.3', currency: 'USD' },
      unit: 'EA',
      stock: [
        { warehouse: 'A', onHand: '0.1' },
        { warehouse: 'B', onHand: '0.2' },
      ],
      updatedAt: '2026-01-01T00:00:00Z',
    });
    expect(
      stockQuantity(p, {
        attributeSetId: 4,
        baseCurrency: 'USD',
        stockSource: 'default',
        stockWarehouses: [],
      }),
    ).toBe('0.3');
    expect(productParts(p, ['listPrice'])).toEqual({ price: 0.3 });
  });
});
