import { describe, expect, it } from 'vitest';
import { Product } from '../../../model/index.js';
import { isLedgerlinkError } from '../../sdk/errors.js';
import { productFromMagento, productParts, productToMagento } from './product.js';
import {
  DEFAULT_STOCK_ITEM,
  sourceItemOf,
  stockFromSourceItems,
  stockFromStockItem,
  stockItemOf,
  stockQuantity,
} from './stock.js';

const settings = {
  attributeSetId: 9,
  baseCurrency: 'USD',
  websiteId: 2,
  stockSource: 'main',
  stockWarehouses: [] as string[],
};

const product = (patch: Record<string, unknown> = {}) =>
  Product.parse({
    sku: 'S-1',
    name: 'Widget',
    description: 'A widget',
    listPrice: { amount: '19.99', currency: 'USD' },
    standardCost: { amount: '7.125', currency: 'USD' },
    unit: 'EA',
    weight: { value: '0.35', unit: 'KG' },
    stock: [
      { warehouse: 'A', onHand: '0.1' },
      { warehouse: 'B', onHand: '0.2' },
      { warehouse: 'C', onHand: '5' },
    ],
    updatedAt: '2026-01-01T00:00:00Z',
    ...patch,
  });

function refusal(fn: () => unknown): { code: string; category: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isLedgerlinkError(e)) return { code: e.code, category: e.category, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('canonical product → Magento', () => {
  it('a new product: simple, visible, in the attribute set and website, price exact, cost as text', () => {
    expect(productToMagento(product(), settings)).toEqual({
      sku: 'S-1',
      type_id: 'simple',
      attribute_set_id: 9,
      visibility: 4,
      name: 'Widget',
      status: 1,
      price: 19.99,
      weight: 0.35,
      custom_attributes: [
        { attribute_code: 'cost', value: '7.125' },
        { attribute_code: 'description', value: 'A widget' },
      ],
      extension_attributes: { website_ids: [2] },
    });
    expect(productToMagento(product({ status: 'inactive' }), settings).status).toBe(2);
  });

  it('an update carries only the owned attributes', () => {
    expect(productParts(product(), ['listPrice'])).toEqual({ price: 19.99 });
    expect(productParts(product(), ['standardCost', 'status'])).toEqual({
      status: 1,
      custom_attributes: [{ attribute_code: 'cost', value: '7.125' }],
    });
    expect(productParts(product(), ['stock'])).toEqual({});
  });

  it('refuses an amount a JSON number cannot carry exactly instead of rounding it', () => {
    const p = product({ listPrice: { amount: '0.12345678901234567891', currency: 'USD' } });
    expect(refusal(() => productParts(p, ['listPrice']))).toMatchObject({
      code: 'invalid_data',
      category: 'rejected',
      message:
        'product S-1: list price 0.12345678901234567891 has more digits than Magento can store exactly; round it in the source system',
    });
  });
});

describe('stock', () => {
  it('adds up the chosen warehouses exactly (0.1 + 0.2 is 0.3)', () => {
    expect(stockQuantity(product(), { stockWarehouses: [] })).toBe('5.3');
    expect(stockQuantity(product(), { stockWarehouses: ['A', 'B'] })).toBe('0.3');
    expect(stockQuantity(product(), { stockWarehouses: ['NONE'] })).toBe('0');
  });

  it('MSI: one source item at the connection source, out of stock at zero', () => {
    expect(sourceItemOf(product(), { ...settings, stockWarehouses: ['A', 'B'] })).toEqual({
      sku: 'S-1',
      source_code: 'main',
      quantity: 0.3,
      status: 1,
    });
    expect(sourceItemOf(product({ stock: [] }), settings).status).toBe(0);
  });

  it("legacy: the whole stock item, Magento's own settings kept, quantity and availability changed", () => {
    const current = {
      ...DEFAULT_STOCK_ITEM,
      item_id: 3,
      min_sale_qty: 6,
      use_config_min_sale_qty: 0,
      qty: 1,
      is_in_stock: true,
      low_stock_date: null,
    };
    const item = stockItemOf(product({ stock: [{ warehouse: 'A', onHand: '0' }] }), settings, current);
    expect(item).toEqual({ ...current, qty: 0, is_in_stock: false, low_stock_date: '' });
    const fresh = stockItemOf(product(), settings);
    expect(fresh).toMatchObject({
      qty: 5.3,
      is_in_stock: true,
      is_qty_decimal: true,
      use_config_manage_stock: true,
    });
    const backorders = { ...current, backorders: 1, use_config_backorders: false };
    expect(stockItemOf(product({ stock: [] }), settings, backorders).is_in_stock).toBe(true);
  });

  it('reads back as canonical warehouses', () => {
    expect(stockFromSourceItems('S', [{ sku: 'S', source_code: 'main', quantity: 2.5, status: 1 }])).toEqual([
      { warehouse: 'main', onHand: '2.5' },
    ]);
    expect(stockFromStockItem('S', { ...DEFAULT_STOCK_ITEM, qty: 7 })).toEqual([
      { warehouse: 'default', onHand: '7' },
    ]);
    expect(stockFromStockItem('S', undefined)).toEqual([]);
  });
});

describe('Magento product → canonical', () => {
  it('maps back with exact decimals', () => {
    const p = Product.parse(
      productFromMagento(
        {
          sku: 'M1',
          name: 'Mug',
          price: 4.1,
          status: 2,
          weight: 0.3,
          updated_at: '2026-02-03 04:05:06',
          custom_attributes: [
            { attribute_code: 'cost', value: '1.2000' },
            { attribute_code: 'description', value: '<p>Nice</p>' },
          ],
        },
        [{ warehouse: 'default', onHand: '3' }],
        settings,
      ),
    );
    expect(p).toMatchObject({
      sku: 'M1',
      status: 'inactive',
      listPrice: { amount: '4.1', currency: 'USD' },
      standardCost: { amount: '1.2', currency: 'USD' },
      weight: { value: '0.3', unit: 'KG' },
      description: '<p>Nice</p>',
      stock: [{ warehouse: 'default', onHand: '3' }],
      updatedAt: '2026-02-03T04:05:06.000Z',
    });
  });

  it('a product without a price is refused with what to fix', () => {
    expect(refusal(() => productFromMagento({ sku: 'M2', name: 'x' }, [], settings))).toMatchObject({
      code: 'missing_field',
      category: 'rejected',
      message: 'Magento product M2 has no price; set one in Magento (a price of 0 is fine)',
    });
  });
});
