/** A connection's settings, as the manifest's fields validate them. */
export interface Settings {
  username: string;
  password: string;
  publicUrl?: string;
  companyFile?: string;
  runEveryMinutes: number;
  answerWaitSeconds: number;
  defaultIncomeAccount: string;
  salesTaxCode: string;
  defaultProduct: string;
  homeCurrency: string;
  country: string;
  qbxmlVersion: string;
}

export function settingsOf(raw: Record<string, unknown>): Settings {
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
  const num = (k: string, d: number) => (raw[k] === undefined ? d : Number(raw[k]));
  return {
    username: str('username') ?? '',
    password: str('password') ?? '',
    ...(str('publicUrl') ? { publicUrl: str('publicUrl')! } : {}),
    ...(str('companyFile') ? { companyFile: str('companyFile')! } : {}),
    runEveryMinutes: num('runEveryMinutes', 5),
    answerWaitSeconds: num('answerWaitSeconds', 60),
    defaultIncomeAccount: str('defaultIncomeAccount') ?? 'Sales',
    salesTaxCode: str('salesTaxCode') ?? 'Tax',
    defaultProduct: str('defaultProduct') ?? 'MISC',
    homeCurrency: str('homeCurrency') ?? 'USD',
    country: str('country') ?? 'US',
    qbxmlVersion: str('qbxmlVersion') ?? '13.0',
  };
}
