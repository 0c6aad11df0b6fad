import {
  SANDBOX_CREDENTIALS as ACUMATICA_CREDENTIALS,
  startAcumaticaSandbox,
} from './acumatica/sandbox/index.js';
import { MAGENTO_SANDBOX, startMagentoSandbox } from './magento/sandbox/index.js';
import type { SandboxKit, SandboxOptions } from './sdk/sandbox-kit.js';

export interface RunningSandbox {
  url: string;
  kit: SandboxKit;
  close(): Promise<void>;
}

export interface SandboxStart extends SandboxOptions {
  customers?: number;
  products?: number;
  defects?: boolean;
}

/** Every sandbox this build ships, with the settings a connection needs to reach it. */
export const sandboxRegistry: Record<
  string,
  {
    start(o: SandboxStart): Promise<RunningSandbox>;
    settings(url: string): Record<string, unknown>;
    defaultPort: number;
  }
> = {
  acumatica: {
    start: (o) => startAcumaticaSandbox(o),
    settings: (url) => ({
      baseUrl: url,
      username: ACUMATICA_CREDENTIALS.username,
      password: ACUMATICA_CREDENTIALS.password,
      company: ACUMATICA_CREDENTIALS.company,
    }),
    defaultPort: 8081,
  },
  magento: {
    start: (o) => startMagentoSandbox(o),
    settings: (url) => ({ baseUrl: url, authMode: 'token', accessToken: MAGENTO_SANDBOX.accessToken }),
    defaultPort: 8082,
  },
};
