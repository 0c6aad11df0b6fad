import { describe, expect, it } from 'vitest';
import { errorResultError, graphqlError, unwrap } from './errors.js';
import { fromMinor, toMinor } from './money.js';
import { orderFilter } from './read-orders.js';
import { DEFAULT_ORDER_STATES, readSettings } from './settings.js';
import { dateRange, inWindow } from './window.js';

describe('money in minor units', () => {
  it('converts exactly both ways, at the precision the server keeps', () => {
    expect(fromMinor(1999, 2)).toBe('19.99');
    expect(fromMinor(-5, 2)).toBe('-0.05');
    expect(fromMinor(1999, 0)).toBe('1999');
    expect(fromMinor(123456789012345, 2)).toBe('1234567890123.45');
    expect(toMinor('19.99', 2, 'x')).toBe(1999);
    expect(toMinor('0.1', 2, 'x')).toBe(10);
    expect(toMinor('12.3400', 2, 'x')).toBe(1234);
    // 0.1 + 0.2 in floats is 0.30000000000000004; as decimals it is 30 cents.
    expect(toMinor('0.30', 2, 'x')).toBe(30);
    expect(() => toMinor('1.005', 2, 'price')).toThrow(
      /price 1.005 has more decimal places than Vendure keeps \(2\)/,
    );
  });
});

describe('reading windows', () => {
  it('asks the server for a second more on each side and keeps the exact window', () => {
    expect(dateRange({ since: '2026-01-05T10:00:00Z' })).toEqual({
      between: { start: '2026-01-05T09:59:59.000Z', end: '9999-12-31T23:59:59.999Z' },
    });
    const q = { since: '2026-01-05T10:00:00Z', until: '2026-01-05T11:00:00Z' };
    expect(inWindow(q, '2026-01-05T10:00:00.000Z')).toBe(true);
    expect(inWindow(q, '2026-01-05T09:59:59.999Z')).toBe(false);
    expect(inWindow(q, '2026-01-05T11:00:00.000Z')).toBe(true);
    expect(inWindow(q, '2026-01-05T11:00:00.001Z')).toBe(false);
  });

  it('orders: the connection’s states, a window on updatedAt or orderPlacedAt, ids as ids or codes', () => {
    expect(orderFilter({ since: '2026-01-05T10:00:00Z' }, ['PaymentSettled'], ['12', 'AB12'])).toEqual({
      _and: [
        { state: { in: ['PaymentSettled'] } },
        {
          _or: [
            {
              updatedAt: { between: { start: '2026-01-05T09:59:59.000Z', end: '9999-12-31T23:59:59.999Z' } },
            },
            {
              orderPlacedAt: {
                between: { start: '2026-01-05T09:59:59.000Z', end: '9999-12-31T23:59:59.999Z' },
              },
            },
          ],
        },
        { _or: [{ id: { in: ['12'] } }, { code: { in: ['12', 'AB12'] } }] },
      ],
    });
    expect(orderFilter({ filters: { status: ['Shipped'] } }, DEFAULT_ORDER_STATES)).toEqual({
      state: { in: ['Shipped'] },
    });
    expect(() => orderFilter({ filters: { orderType: ['B2B'] } }, DEFAULT_ORDER_STATES)).toThrow(
      'Vendure orders have no "orderType" filter; they have: dates, ids, status',
    );
  });

  it('settings: the default states, a page size within the server’s limit', () => {
    const s = readSettings({
      url: 'http://127.0.0.1:3000/admin-api',
      pageSize: 5000,
      orderStates: ' Shipped, Delivered ',
    });
    expect(s).toMatchObject({ pageSize: 1000, orderStates: ['Shipped', 'Delivered'], languageCode: 'en' });
    expect(readSettings({ url: 'http://x/admin-api' }).orderStates).toEqual([...DEFAULT_ORDER_STATES]);
  });
});

describe('Vendure’s errors as data', () => {
  it('an ErrorResult is the refusal of one record, in Vendure’s words', () => {
    const refusal = {
      errorCode: 'MANUAL_PAYMENT_STATE_ERROR',
      message:
        'A manual payment may only be added when in the "ArrangingPayment" or "ArrangingAdditionalPayment" states',
    };
    expect(() => unwrap(refusal, 'invoice INV1')).toThrow(
      'invoice INV1: Vendure refused it: A manual payment may only be added when in the "ArrangingPayment" or "ArrangingAdditionalPayment" states [MANUAL_PAYMENT_STATE_ERROR]',
    );
    expect(errorResultError(refusal, 'x').toData()).toMatchObject({ code: 'conflict', category: 'rejected' });
    expect(unwrap({ id: '1' }, 'x')).toEqual({ id: '1' });
    // An untranslated key as the message: the state machine's reason stands in for it.
    const transition = errorResultError(
      {
        errorCode: 'FULFILLMENT_STATE_TRANSITION_ERROR',
        message: 'errorResult.FULFILLMENT_STATE_TRANSITION_ERROR',
        transitionError: 'Cannot transition Fulfillment from "Shipped" to "Pending"',
      },
      'shipment SH1',
    );
    expect(transition.message).toBe(
      'shipment SH1: Vendure refused it: Cannot transition Fulfillment from "Shipped" to "Pending" [FULFILLMENT_STATE_TRANSITION_ERROR]',
    );
    expect(
      errorResultError(
        { errorCode: 'EMAIL_ADDRESS_CONFLICT_ERROR', message: 'The email address is not available.' },
        'c',
      ).code,
    ).toBe('duplicate');
  });

  it('GraphQL errors: not found and bad input are the record’s; a schema mismatch is the setup’s; no code is an outage', () => {
    const err = (code?: string) =>
      graphqlError(
        [
          {
            message: 'No OrderLine with the id "999" could be found',
            ...(code ? { extensions: { code } } : {}),
          },
        ],
        'shipment SH1',
      );
    expect(err('ENTITY_NOT_FOUND').toData()).toEqual({
      code: 'not_found',
      category: 'rejected',
      message: 'shipment SH1: Vendure answered: No OrderLine with the id "999" could be found',
    });
    expect(err('USER_INPUT_ERROR').category).toBe('rejected');
    expect(err('FORBIDDEN').toData()).toMatchObject({ code: 'auth', category: 'config' });
    expect(err().toData()).toMatchObject({ code: 'server', category: 'transient' });
    const missing = graphqlError(
      [
        {
          message: 'Cannot query field "erpNumber" on type "OrderCustomFields".',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
      'read orders',
    );
    expect(missing.toData()).toMatchObject({ code: 'config', category: 'config' });
    expect(missing.message).toMatch(
      /needs the custom fields Order\.erpNumber and Customer\.erpCustomerNumber/,
    );
  });
});
