import { SANDBOX_CREDENTIALS } from './index.js';

/**
 * A session cookie of a running Acumatica sandbox, logged in with its own credentials: for a test or
 * a bench that calls the sandbox as a person's browser would (changing a customer), not through
 * the connector.
 */
export async function sandboxSessionCookie(url: string): Promise<string> {
  const login = await fetch(`${url}/entity/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: SANDBOX_CREDENTIALS.username,
      password: SANDBOX_CREDENTIALS.password,
      company: SANDBOX_CREDENTIALS.company,
    }),
  });
  if (!login.ok) throw new Error(`the Acumatica sandbox's login answered ${login.status}`);
  return login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}
