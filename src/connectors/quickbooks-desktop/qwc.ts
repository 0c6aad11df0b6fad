import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { Settings } from './settings.js';

const builder = new XMLBuilder({
  format: true,
  indentBy: '  ',
  processEntities: true,
  ignoreAttributes: false,
});

/** A GUID derived from the connection, so the .qwc downloaded twice names the same application. */
function stableGuid(connection: string, purpose: string): string {
  const h = createHash('sha256').update(`ledgerlink:${purpose}:${connection}`).digest('hex').toUpperCase();
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-A${h.slice(17, 20)}-${h.slice(20, 32)}}`;
}

/** The Web Connector takes http only for localhost; anywhere else the AppURL must be https. */
const isLocal = (u: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);

/** The address the Web Connector polls for this connection. */
export function appUrlOf(connection: string, publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/qbwc/${encodeURIComponent(connection)}`;
}

/**
 * The .qwc file a person opens in the Web Connector (Add an application): where to poll, as whom,
 * how often, and stable OwnerID / FileID GUIDs (QuickBooks remembers the application by them).
 */
export function qwcFile(
  connection: string,
  s: Pick<Settings, 'publicUrl' | 'username' | 'runEveryMinutes'>,
): { filename: string; contentType: string; body: string } | { refusal: string } {
  if (!s.publicUrl)
    return {
      refusal: `connection "${connection}" has no public address (publicUrl): set the https address the Web Connector reaches Ledgerlink at`,
    };
  const base = new URL(s.publicUrl);
  if (base.protocol !== 'https:' && !isLocal(base))
    return {
      refusal: `the Web Connector polls only https addresses (plain http on localhost alone): publicUrl ${s.publicUrl} of connection "${connection}" must start with https://`,
    };
  const appUrl = appUrlOf(connection, s.publicUrl);
  const body = builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    QBWCXML: {
      AppName: `Ledgerlink (${connection})`,
      AppID: '',
      AppURL: appUrl,
      AppDescription: `Ledgerlink keeps customers, items and invoices of this company file in step with the connection "${connection}"`,
      AppSupport: `${s.publicUrl.replace(/\/+$/, '')}/`,
      UserName: s.username,
      OwnerID: stableGuid(connection, 'owner'),
      FileID: stableGuid(connection, 'file'),
      QBType: 'QBFS',
      Scheduler: { RunEveryNMinutes: Math.max(1, Math.floor(s.runEveryMinutes)) },
      IsReadOnly: 'false',
    },
  }) as string;
  return {
    filename: `ledgerlink-${connection.replace(/[^A-Za-z0-9_-]+/g, '-')}.qwc`,
    contentType: 'application/xml; charset=utf-8',
    body,
  };
}
