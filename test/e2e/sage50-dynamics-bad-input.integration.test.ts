import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import { TABLES } from '../../src/connectors/dynamics/sandbox/schema.js';
import { addAuditTransaction } from '../../src/connectors/sage50/sandbox/index.js';
import { hostedFor } from '../../src/connectors/sage50/test-support.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { batchBetween } from '../support/batch-run.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/**
 * Bad input from Sage 50 (issue 16), end to end through the ODBC driver: an account reference longer
 * than the CRM's account number column takes (Sage's are 8 characters, so this CRM's column is
 * narrowed to 6), a stock code with a character the CRM refuses, and a posted invoice whose items do
 * not add up to its header (a damaged data file). Each is a failed record with its reason; every other
 * record of the batch is synced.
 */
const TS = "{ts '2025-11-04 09:00:00'}";

describe.each(['sqlite', 'postgres'] as const)(
  'Sage 50 → Dynamics 365 on %s: bad input fails record by record',
  (dialect) => {
    let sage: Awaited<ReturnType<typeof hostedFor>>;
    let crm: DynamicsSandbox;
    let db: TestDatabase;
    let ctx: Context;
    const accountNumber = TABLES.accounts!.columns.accountnumber!;
    const width = accountNumber.max;

    beforeAll(async () => {
      accountNumber.max = 6;
      sage = await hostedFor(dialect);
      const q = (sql: string, params: Array<string | number> = []) => sage.db.query(sql, params);
      await q(
        `INSERT INTO SALES_LEDGER (ACCOUNT_REF, NAME, ADDRESS_1, CREDIT_LIMIT, BALANCE, TURNOVER_YTD,
        ACCOUNT_ON_HOLD, ACCOUNT_STATUS, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
       VALUES ('LONGREF1', 'Long Reference Ltd', '1 High Street', '250', '0', '0', 0, 0, ${TS}, ${TS})`,
      );
      await q(
        `INSERT INTO STOCK (STOCK_CODE, DESCRIPTION, UNIT_OF_SALE, NOMINAL_CODE, SALES_PRICE, LAST_PURCHASE_PRICE,
        TAX_CODE, INACTIVE_FLAG, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
       VALUES (?, 'Tape with a bell in its code', 'Each', '4000', '3.1', '1.5', 'T1', 0, ${TS}, ${TS})`,
        ['TAPE\u0007003'],
      );
      // Invoice 3 for ABS001: its header says 100.00 + 17.50, its one item 55.00 + 9.63.
      await q(
        `INSERT INTO INVOICE (INVOICE_NUMBER, INVOICE_TYPE_CODE, INVOICE_TYPE, INVOICE_OR_CREDIT, INVOICE_DATE,
        ACCOUNT_REF, NAME, INVOICE_NET, INVOICE_TAX, INVOICE_GROSS, POSTED_CODE, RECORD_CREATE_DATE,
        RECORD_MODIFY_DATE, RECORD_DELETED)
       VALUES (3, 0, 'Product Invoice', 'Invoice', '2025-11-04', 'ABS001', 'ABS Garag', '100', '17.5', '117.5', 1,
        ${TS}, ${TS}, 0)`,
      );
      await q(
        `INSERT INTO INVOICE_ITEM (INVOICE_NUMBER, ITEM_NUMBER, ITEMID, STOCK_CODE, DESCRIPTION, UNIT_OF_SALE,
        QUANTITY, UNIT_PRICE, TAX_CODE, TAX_RATE, NET_AMOUNT, TAX_AMOUNT, GROSS_AMOUNT, RECORD_DELETED)
       VALUES (3, 1, 1, 'VID003', '32mb PCI Video Card', 'Each', '1', '55', 'T1', '17.5', '55', '9.63', '64.63', 0)`,
      );
      await addAuditTransaction(sage.db, {
        tran: 2,
        type: 'SI',
        account: 'ABS001',
        invRef: '3',
        date: '2025-11-04',
        net: '100',
        tax: '17.5',
        gross: '117.5',
        splits: [{ tran: 3, net: '100', tax: '17.5', gross: '117.5', details: '32mb PCI Video Card' }],
      });
      crm = await startDynamicsSandbox({});
      db = await createTestDatabase(dialect);
      const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-sage50-bad-'));
      const configPath = join(dir, 'ledgerlink.yaml');
      writeFileSync(
        configPath,
        stringify({
          database: db.url,
          connections: {
            sage50: { connector: 'sage50', settings: sage.settings() },
            dynamics: {
              connector: 'dynamics',
              settings: {
                ...sandboxRegistry.dynamics!.settings(crm),
                timeoutMs: 5000,
                accountNumberLength: 6,
              },
            },
          },
          flows: Object.fromEntries(
            ['sage50-dynamics.customers', 'sage50-dynamics.products', 'sage50-dynamics.invoices'].map((f) => [
              f,
              { retryBaseSeconds: 0.05, retryCapSeconds: 0.5 },
            ]),
          ),
        }),
      );
      ctx = await openContext({ configPath });
    }, 120_000);

    afterAll(async () => {
      accountNumber.max = width;
      await ctx?.close();
      await crm?.close();
      await sage?.close();
      await sage?.drop();
      await db?.drop();
    });

    it('a reference longer than the CRM allows, a stock code with a refused character and an invoice whose items do not add up each fail with the reason; the rest is synced', async () => {
      const { runs, failures } = await batchBetween(ctx, 'sage50,dynamics', 10);
      expect(failures.sort()).toEqual([
        expect.stringMatching(
          /^sage50-dynamics\.customers LONGREF1.*: account number "LONGREF1" is 8 characters and the accountnumber column of account takes 6/,
        ),
        expect.stringMatching(
          /^sage50-dynamics\.invoices 3.*invoice 3: its lines' net comes to 55\.00 but its net total is 100\.00; its lines' tax comes to 9\.63 but its tax total is 17\.50\. Sage 50's data file may be damaged: run File › Maintenance › Check Data/,
        ),
        expect.stringMatching(/^sage50-dynamics\.products .*TAPE.*holds the character U\+0007 at position 5/),
      ]);
      for (const flow of [
        'sage50-dynamics.customers',
        'sage50-dynamics.products',
        'sage50-dynamics.invoices',
      ])
        expect(runs.find((r) => r.flow === flow)?.counts.failed, flow).toBe(1);
      // The batch went on: every other account, product and invoice is in the CRM.
      const accounts = crm.rows('accounts').map((a) => a.accountnumber);
      expect(accounts).toEqual(expect.arrayContaining(['A1D001', 'ABS001']));
      expect(accounts).not.toContain('LONGREF1');
      const numbers = crm.rows('products').map((p) => p.productnumber);
      expect(numbers).toEqual(expect.arrayContaining(['VID003', 'TAPE002', 'MISC']));
      expect(numbers).not.toContain('TAPE\u0007003');
      const invoices = crm.rows('invoices').map((i) => i.invoicenumber);
      expect(invoices).toContain('A1D001-1');
      expect(invoices).not.toContain('ABS001-3');
    });
  },
);
