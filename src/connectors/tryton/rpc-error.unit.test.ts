import { describe, expect, it } from 'vitest';
import { rpcErrorData } from './rpc-error.js';

describe("Tryton's error answers", () => {
  it('a UserError is a rejected record in Tryton’s own words', () => {
    const e = rpcErrorData(
      ['UserError', ['There is no "Account Category" defined for "Gadget".', '', null]],
      'model.sale.sale.process',
    );
    expect(e).toEqual({
      code: 'invalid_data',
      category: 'rejected',
      message: 'There is no "Account Category" defined for "Gadget".',
    });
    expect(
      rpcErrorData(['UserError', ['A value is required for field "Sale UOM".', 'Product Template']], 'x')
        .message,
    ).toBe('A value is required for field "Sale UOM". (Product Template)');
  });

  it('a UserWarning waits for a person; a concurrency clash and a Python exception are transient', () => {
    expect(rpcErrorData(['UserWarning', ['key', 'The sale date is in the past.', '']], 'm')).toMatchObject({
      category: 'rejected',
      message: 'The sale date is in the past. — a warning a person must accept in Tryton (key)',
    });
    expect(
      rpcErrorData(['ConcurrencyException', 'Records were modified in the meanwhile'], 'm').category,
    ).toBe('transient');
    expect(
      rpcErrorData(['database is locked', 'Traceback (most recent call last):\n…'], 'model.x.write'),
    ).toEqual({
      code: 'server',
      category: 'transient',
      message: 'Tryton could not run model.x.write just now: database is locked',
    });
    expect(rpcErrorData([], 'm').category).toBe('rate_limited');
  });
});
