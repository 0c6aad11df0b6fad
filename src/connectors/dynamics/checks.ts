import type { CheckResult } from '../sdk/contract.js';
import { toErrorData } from '../sdk/errors.js';
import type { DynamicsClient } from './client.js';
import type { Reference } from './reference.js';
import type { DynamicsSettings } from './settings.js';

const TEXT_TYPES = new Set(['String', 'Memo']);

/**
 * The manual's Setup diagnostics as separate verdicts: the credentials work (WhoAmI); the price list,
 * the unit group and its default unit exist; the ready and uploaded status reasons exist on salesorder;
 * the invoice-number column exists and takes text; accountnumber is long enough for the references.
 */
export async function runChecks(
  client: DynamicsClient,
  ref: Reference,
  s: DynamicsSettings,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  try {
    const who = await client.get<{ UserId?: string; OrganizationId?: string }>('WhoAmI');
    out.push({
      name: 'credentials',
      ok: true,
      message: `signed in to ${new URL(s.url).host} as application user ${who.body?.UserId ?? '?'} (client ${s.clientId})`,
    });
  } catch (e) {
    const err = toErrorData(e);
    out.push({
      name: 'credentials',
      ok: false,
      message:
        err.code === 'auth'
          ? `${err.message}${/credential/i.test(err.message) ? '' : ' — check the client credentials and that the app is an application user of the environment'}`
          : `cannot reach Dynamics 365 at ${s.url}: ${err.message}`,
    });
    return out;
  }
  const verdict = async (name: string, f: () => Promise<CheckResult | string>) => {
    try {
      const r = await f();
      out.push(typeof r === 'string' ? { name, ok: true, message: r } : r);
    } catch (e) {
      out.push({ name, ok: false, message: toErrorData(e).message });
    }
  };
  await verdict('priceList', async () => {
    await ref.priceList();
    return `price list "${s.priceList}" exists`;
  });
  await verdict('unitGroup', async () => {
    const g = await ref.unitGroup();
    await ref.defaultUnit();
    return `unit group "${s.unitGroup}" exists with unit "${s.defaultUnit}" (units: ${[...g.units.values()].map((u) => u.name).join(', ')})`;
  });
  await verdict('orderStatus', async () => {
    const options = await ref.orderStatuses();
    const missing = [
      ['readyStatus', s.readyStatus],
      ['uploadedStatus', s.uploadedStatus],
    ].filter(([, v]) => !options.some((o) => o.value === v));
    if (missing.length)
      return {
        name: 'orderStatus',
        ok: false,
        message: `salesorder has no status reason ${missing.map(([k, v]) => `${v} (${k})`).join(' or ')}: create them on the Status Reason column of Order (the manual's §4.3, e.g. "Ready for Accounts" and "Uploaded to Accounts") or change the settings`,
      };
    const label = (v: number) => options.find((o) => o.value === v)?.label;
    return `salesorder status reasons ${s.readyStatus} "${label(s.readyStatus)}" and ${s.uploadedStatus} "${label(s.uploadedStatus)}" exist`;
  });
  await verdict('invoiceNumberField', async () => {
    if (!s.invoiceNumberField)
      return 'no invoice-number column is set (sync.invoice.field); the invoice number is not written to orders';
    const type = await ref.attributeType('salesorder', s.invoiceNumberField);
    if (!type)
      return {
        name: 'invoiceNumberField',
        ok: false,
        message: `salesorder has no column ${s.invoiceNumberField} (setting invoiceNumberField): create a text column or clear the setting`,
      };
    if (!TEXT_TYPES.has(type))
      return {
        name: 'invoiceNumberField',
        ok: false,
        message: `salesorder column ${s.invoiceNumberField} is of type ${type}; the invoice number needs a text (String) column`,
      };
    return `salesorder column ${s.invoiceNumberField} takes text`;
  });
  await verdict('accountNumberLength', async () => {
    const max = await ref.maxLength('account', 'accountnumber');
    if (max === undefined)
      return { name: 'accountNumberLength', ok: false, message: 'account has no text column accountnumber' };
    if (max < s.accountNumberLength)
      return {
        name: 'accountNumberLength',
        ok: false,
        message: `account.accountnumber takes ${max} characters and the references need ${s.accountNumberLength} (setting accountNumberLength): widen the column (Tables → Account → Account Number → Maximum character count) and publish, as the manual's §4.2.2 asks; longer references fail until then`,
      };
    return `account.accountnumber takes ${max} characters (${s.accountNumberLength} needed)`;
  });
  return out;
}
