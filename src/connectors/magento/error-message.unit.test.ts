import { describe, expect, it } from 'vitest';
import { explainNameRefusal, fillPlaceholders, magentoMessage } from './error-message.js';

describe("Magento's error messages", () => {
  it('fills named parameters sent as an object (what Magento sends)', () => {
    expect(
      magentoMessage({
        message: 'No such entity with %fieldName = %fieldValue',
        parameters: { fieldName: 'customerId', fieldValue: '9' },
      }),
    ).toBe('No such entity with customerId = 9');
  });

  it("fills named parameters sent as the spec's array of objects", () => {
    expect(
      magentoMessage({
        message: "The consumer isn't authorized to access %resources.",
        parameters: [{ resources: 'Magento_Customer::manage' }],
      }),
    ).toBe("The consumer isn't authorized to access Magento_Customer::manage.");
  });

  it('fills positional parameters: key 0 is %1, including keys sent as text', () => {
    expect(magentoMessage({ message: 'The "%1" attribute value is empty.', parameters: ['price'] })).toBe(
      'The "price" attribute value is empty.',
    );
    expect(fillPlaceholders('%1 and %2, not %3', { '0': 'a', '1': 'b' })).toBe('a and b, not %3');
    expect(fillPlaceholders('%10 items', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'])).toBe('j items');
  });

  it('leaves placeholders without a value, and a message without parameters, as they are', () => {
    expect(fillPlaceholders('"%fieldName" is required.', undefined)).toBe('"%fieldName" is required.');
    expect(fillPlaceholders('%fieldName = %fieldValue', { fieldName: 'sku' })).toBe('sku = %fieldValue');
    expect(fillPlaceholders('100% sure', { fieldName: 'x' })).toBe('100% sure');
  });

  it('joins the listed errors after the main message, each filled', () => {
    expect(
      magentoMessage({
        message: 'Validation failed',
        errors: [
          { message: '"%fieldName" is required.', parameters: [{ fieldName: 'city' }] },
          { message: '"%fieldName" is required.', parameters: { fieldName: 'telephone' } },
        ],
      }),
    ).toBe('Validation failed; "city" is required.; "telephone" is required.');
  });

  it('reads a plain-text answer (a proxy error page) and ignores an empty one', () => {
    expect(magentoMessage('Bad Gateway')).toBe('Bad Gateway');
    expect(magentoMessage(undefined)).toBeUndefined();
    expect(magentoMessage({})).toBeUndefined();
  });
});

describe('a name Magento refuses', () => {
  it('says which character, or the length, from what was sent', () => {
    const msg = 'Magento answered 400: Last Name is not valid!';
    expect(explainNameRefusal(msg, { lastname: 'O’Brien-Smith' })).toBe(msg);
    expect(explainNameRefusal(msg, { lastname: 'Lee', addresses: [{ lastname: 'L<e>e' }] })).toMatch(
      /the last name "L<e>e" has "<", ">", which Magento does not take/,
    );
    expect(explainNameRefusal(msg, { lastname: 'x'.repeat(300) })).toMatch(
      /has 300 characters, more than the 255 Magento takes\)$/,
    );
    expect(explainNameRefusal('Magento answered 400: something else', { lastname: '#' })).toBe(
      'Magento answered 400: something else',
    );
  });
});
