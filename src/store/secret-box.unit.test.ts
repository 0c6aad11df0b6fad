import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('secrets at rest', () => {
  it('seals with AES-256-GCM under a key file readable by its owner only, and refuses tampering', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'box-')), 'secret.key');
    const box = SecretBox.open(file, {});
    expect(statSync(file).mode & 0o077).toBe(0);
    const sealed = box.seal('refresh-token-123');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('refresh-token-123');
    expect(box.seal('refresh-token-123')).not.toBe(sealed); // a fresh IV each time
    expect(SecretBox.open(file, {}).open(sealed)).toBe('refresh-token-123');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 0x01;
    const tampered = `v1:${raw.toString('base64url')}`;
    expect(() => box.open(tampered)).toThrow(/cannot be decrypted/);
    expect(readFileSync(file, 'utf8').trim()).toHaveLength(44);
  });

  it('takes its key from LEDGERLINK_SECRET_KEY, which must be 32 bytes', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const a = SecretBox.open('/nonexistent/secret.key', { LEDGERLINK_SECRET_KEY: key });
    expect(SecretBox.fromKey(key).open(a.seal('x'))).toBe('x');
    expect(() => SecretBox.fromKey(Buffer.alloc(16).toString('base64'))).toThrow(/must be 32 bytes/);
    expect(() => SecretBox.fromKey(Buffer.alloc(32, 1).toString('base64')).open(a.seal('x'))).toThrow(
      /was LEDGERLINK_SECRET_KEY changed/,
    );
  });
});
