import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Encrypts secrets kept in the store (AES-256-GCM). The key is LEDGERLINK_SECRET_KEY (32 bytes,
 * base64) or, on the embedded default, a key file created beside the data with owner-only access.
 * Several machines sharing one PostgreSQL store must share the key through the environment.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(base64: string): SecretBox {
    const key = Buffer.from(base64, 'base64');
    if (key.length !== 32)
      throw new Error('LEDGERLINK_SECRET_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)');
    return new SecretBox(key);
  }

  /** The key from the environment, else from (or newly written to) `keyFile`. */
  static open(keyFile: string, env: NodeJS.ProcessEnv = process.env): SecretBox {
    if (env.LEDGERLINK_SECRET_KEY) return SecretBox.fromKey(env.LEDGERLINK_SECRET_KEY);
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    return SecretBox.fromKey(readFileSync(keyFile, 'utf8').trim());
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new Error('not a sealed secret');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        'a stored secret cannot be decrypted with this key (was LEDGERLINK_SECRET_KEY changed?)',
      );
    }
  }
}
