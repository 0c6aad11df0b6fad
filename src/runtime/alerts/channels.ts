import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { AlertsConfigShape } from '../../config/schema.js';
import { type AlertMessage, textOf, titleOf, webhookBody } from './messages.js';

export const CHANNELS = ['email', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Sends one message on one channel; throws with the channel's own words when it does not arrive. */
export type Sender = (m: AlertMessage) => Promise<void>;

/** The channels the configuration sets up, each as its sender. */
export function sendersOf(cfg: AlertsConfigShape | undefined): Map<Channel, Sender> {
  const out = new Map<Channel, Sender>();
  if (cfg?.email) out.set('email', emailSender(cfg.email));
  if (cfg?.webhook) out.set('webhook', webhookSender(cfg.webhook));
  return out;
}

type EmailConfig = NonNullable<AlertsConfigShape['email']>;
type WebhookConfig = NonNullable<AlertsConfigShape['webhook']>;

/** Bounded: a mail server that does not answer costs a check at most these seconds. */
const SMTP_TIMEOUT_MS = 15_000;

function emailSender(c: EmailConfig): Sender {
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.secure,
    ...(c.user ? { auth: { user: c.user, pass: c.pass ?? '' } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return async (m) => {
    await transport.sendMail({
      from: c.from,
      to: c.to,
      subject: titleOf(m),
      text: textOf(m),
      headers: {
        'X-Ledgerlink-Event': m.event,
        'X-Ledgerlink-Rule': m.rule,
        'X-Ledgerlink-Subject': m.subject,
        ...(m.incident !== undefined ? { 'X-Ledgerlink-Incident': String(m.incident) } : {}),
      },
    });
  };
}

function webhookSender(c: WebhookConfig): Sender {
  return async (m) => {
    const res = await request(c.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Ledgerlink alerts' },
      body: JSON.stringify(webhookBody(m, c.format)),
      headersTimeout: c.timeoutMs,
      bodyTimeout: c.timeoutMs,
      signal: AbortSignal.timeout(c.timeoutMs),
    });
    const text = await headOf(res.body, 1024);
    if (res.statusCode >= 300)
      throw new Error(`the webhook answered ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`);
  };
}

/**
 * The first `bytes` of an answer's body, the rest left unread: the endpoint is someone else's, and
 * only the start of a refusal is worth keeping in the delivery's error.
 */
export async function headOf(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  bytes: number,
): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= bytes) break;
  }
  body.destroy();
  return Buffer.concat(parts).subarray(0, bytes).toString('utf8');
}
