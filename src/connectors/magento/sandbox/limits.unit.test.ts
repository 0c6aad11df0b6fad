import { describe, expect, it } from 'vitest';
import { magentoMessage } from '../error-message.js';
import { listLimit } from '../write-products.js';
import { listRefusal, pageSizeUnder } from './limits.js';

describe("Magento's Web API input limits", () => {
  it('are off unless configured: any page size, no default, any list', () => {
    expect(pageSizeUnder(undefined, undefined)).toEqual({ pageSize: undefined });
    expect(pageSizeUnder(undefined, 5000)).toEqual({ pageSize: 5000 });
    expect(listRefusal(undefined, 'X', 10_000)).toBeUndefined();
  });

  it("when on: a missing page size gets the default, a larger one than the maximum is refused in Magento's words", () => {
    expect(pageSizeUnder({}, undefined)).toEqual({ pageSize: 20 });
    expect(pageSizeUnder({}, 300)).toEqual({ pageSize: 300 });
    const over = pageSizeUnder({ maximumPageSize: 50 }, 51);
    expect('refusal' in over && magentoMessage(over.refusal)).toBe('Maximum SearchCriteria pageSize is 50');
  });

  it('the connector reads the allowed list size out of the refusal', () => {
    const refusal = listRefusal({}, '\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface', 21);
    const message = `Magento answered 400: ${magentoMessage(refusal)}`;
    expect(message).toBe(
      'Magento answered 400: Maximum items of type "\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface" is 20',
    );
    expect(listLimit(message)).toBe(20);
    expect(listRefusal({ listLimit: 5 }, 'X', 5)).toBeUndefined();
    expect(listLimit('Magento answered 400: The product was unable to be saved.')).toBeUndefined();
  });
});
