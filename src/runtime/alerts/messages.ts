import type { AlertIncidentRow } from '../../store/index.js';
import { RULES, type RuleKind, span } from './rules.js';

/** What kind of message: the first, one while it lasts, the end, or a person's test of a channel. */
export type AlertEvent = 'opened' | 'reminder' | 'resolved' | 'test';

/** One message, said once and rendered per channel (e-mail, JSON, Slack, Teams). */
export interface AlertMessage {
  event: AlertEvent;
  incident?: number;
  rule: string;
  ruleTitle: string;
  subject: string;
  summary: string;
  /** Since when it has been wrong (ISO). */
  since: string;
  openedAt: string;
  resolvedAt?: string;
  details: Record<string, unknown>;
  /** The dashboard screen that explains it, absolute. */
  link: string;
  /** The Alerts screen, absolute. */
  alertsLink: string;
}

export function messageOf(
  incident: AlertIncidentRow,
  event: AlertEvent,
  baseUrl: string,
  now: Date,
): AlertMessage {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(incident.details) as Record<string, unknown>;
  } catch {
    // A row written by hand: the summary still says it.
  }
  return {
    event,
    incident: Number(incident.id),
    rule: incident.rule,
    ruleTitle: RULES[incident.rule as RuleKind]?.title ?? incident.rule,
    subject: incident.subject,
    summary: incident.summary,
    since: incident.since,
    openedAt: incident.opened_at,
    ...(incident.resolved_at ? { resolvedAt: incident.resolved_at } : {}),
    details: {
      ...details,
      ...(event === 'reminder' ? { lasting: span(now.getTime() - Date.parse(incident.since)) } : {}),
    },
    link: `${baseUrl}${incident.link}`,
    alertsLink: `${baseUrl}/alerts`,
  };
}

export function testMessage(baseUrl: string, now: Date, by: string): AlertMessage {
  return {
    event: 'test',
    rule: 'test',
    ruleTitle: 'Test message',
    subject: 'test',
    summary: `a test message sent by ${by}: this channel reaches you`,
    since: now.toISOString(),
    openedAt: now.toISOString(),
    details: {},
    link: `${baseUrl}/alerts`,
    alertsLink: `${baseUrl}/alerts`,
  };
}

const PREFIX: Record<AlertEvent, string> = {
  opened: 'ALERT',
  reminder: 'STILL',
  resolved: 'RESOLVED',
  test: 'TEST',
};

export function titleOf(m: AlertMessage): string {
  return `[Ledgerlink ${PREFIX[m.event]}] ${m.summary}`;
}

/** The plain text every channel carries: what happened, since when, and where it is explained. */
export function textOf(m: AlertMessage): string {
  const lines = [
    m.event === 'resolved'
      ? `Resolved: ${m.summary}`
      : m.event === 'reminder'
        ? `Still going on: ${m.summary}`
        : m.summary,
    `Rule: ${m.ruleTitle}`,
    `Since: ${m.since}`,
  ];
  if (m.resolvedAt) lines.push(`Resolved at: ${m.resolvedAt}`);
  lines.push(`Details: ${m.link}`, `All alerts: ${m.alertsLink}`);
  return lines.join('\n');
}

export type WebhookFormat = 'json' | 'slack' | 'teams';

/** The body of an outgoing webhook: our own JSON, Slack's {text, blocks}, or a Teams MessageCard. */
export function webhookBody(m: AlertMessage, format: WebhookFormat): unknown {
  if (format === 'slack')
    return {
      text: `${titleOf(m)} <${m.link}|details>`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${titleOf(m)}*` } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `Since ${m.since}${m.resolvedAt ? `, resolved ${m.resolvedAt}` : ''}`,
          },
        },
        {
          type: 'actions',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Open in Ledgerlink' }, url: m.link },
          ],
        },
      ],
    };
  if (format === 'teams')
    return {
      '@type': 'MessageCard',
      '@context': 'https://schema.org/extensions',
      summary: titleOf(m),
      themeColor: m.event === 'resolved' ? '2EB886' : m.event === 'test' ? '439FE0' : 'D00000',
      title: titleOf(m),
      text: textOf(m).replaceAll('\n', '<br>'),
      potentialAction: [
        { '@type': 'OpenUri', name: 'Open in Ledgerlink', targets: [{ os: 'default', uri: m.link }] },
      ],
    };
  return { ...m, title: titleOf(m), text: textOf(m) };
}
