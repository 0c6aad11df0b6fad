import type { Kysely, Selectable } from 'kysely';
import type {
  Answer,
  Mailbox,
  MailItem,
  MailSession,
  MailStatus,
  SessionPatch,
} from '../../connectors/sdk/mailbox.js';
import type { Database, MailboxRequestsTable, MailboxSessionsTable } from '../schema.js';

/** How long answered requests and ended sessions are kept (the history check() and people read). */
const KEEP_DAYS = 30;
/** PostgreSQL takes at most 65,535 parameters a statement; keys go in chunks well below. */
const CHUNK = 500;

const chunks = <T>(xs: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
};

function item(r: Selectable<MailboxRequestsTable>): MailItem {
  return {
    id: Number(r.id),
    key: r.key,
    request: r.request,
    retrySafe: r.retry_safe === 1,
    status: r.status as MailStatus,
    ...(r.response !== null ? { response: r.response } : {}),
    ...(r.status_code !== null ? { statusCode: Number(r.status_code) } : {}),
    ...(r.status_message !== null ? { statusMessage: r.status_message } : {}),
    ...(r.ticket !== null ? { ticket: r.ticket } : {}),
    createdAt: r.created_at,
    ...(r.sent_at !== null ? { sentAt: r.sent_at } : {}),
    ...(r.answered_at !== null ? { answeredAt: r.answered_at } : {}),
  };
}

function session(r: Selectable<MailboxSessionsTable>): MailSession {
  return {
    ticket: r.ticket,
    ...(r.username !== null ? { username: r.username } : {}),
    refused: r.refused === 1,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastSeenAt: r.last_seen_at,
    ...(r.closed_at !== null ? { closedAt: r.closed_at } : {}),
    ...(r.company_file !== null ? { companyFile: r.company_file } : {}),
    ...(r.country !== null ? { country: r.country } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
    ...(r.client_version !== null ? { clientVersion: r.client_version } : {}),
    answered: Number(r.answered),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.wait_until !== null ? { waitUntil: r.wait_until } : {}),
  };
}

/** The mailboxes of every polled connection (the QuickBooks Web Connector's work queue). */
export class MailboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  forConnection(connection: string): Mailbox {
    const db = this.db;
    const find = async (keys: readonly string[]): Promise<MailItem[]> => {
      const out: MailItem[] = [];
      for (const part of chunks([...new Set(keys)])) {
        const rows = await db
          .selectFrom('mailbox_requests')
          .selectAll()
          .where('connection', '=', connection)
          .where('key', 'in', part)
          .execute();
        out.push(...rows.map(item));
      }
      return out;
    };
    return {
      find,
      async post(items) {
        if (items.length === 0) return [];
        const now = new Date().toISOString();
        for (const part of chunks(items)) {
          await db
            .insertInto('mailbox_requests')
            .values(
              part.map((i) => ({
                connection,
                key: i.key,
                request: i.request,
                retry_safe: i.retrySafe ? 1 : 0,
                status: 'queued',
                response: null,
                status_code: null,
                status_message: null,
                ticket: null,
                created_at: now,
                sent_at: null,
                answered_at: null,
              })),
            )
            .onConflict((oc) => oc.columns(['connection', 'key']).doNothing())
            .execute();
        }
        const rows = await find(items.map((i) => i.key));
        // Refused by the system (its own status code says nothing was written): ask again, with the
        // request as it is now.
        const again = rows.filter((r) => r.status === 'error' && r.statusCode !== undefined);
        for (const r of again) {
          const request = items.find((i) => i.key === r.key)!.request;
          await db
            .updateTable('mailbox_requests')
            .set({
              request,
              status: 'queued',
              response: null,
              status_code: null,
              status_message: null,
              ticket: null,
              sent_at: null,
              answered_at: null,
              created_at: now,
            })
            .where('id', '=', r.id)
            .where('status', '=', 'error')
            .execute();
        }
        return again.length ? find(items.map((i) => i.key)) : rows;
      },
      async withdraw(keys) {
        for (const part of chunks([...keys])) {
          await db
            .deleteFrom('mailbox_requests')
            .where('connection', '=', connection)
            .where('key', 'in', part)
            .where('status', '=', 'queued')
            .execute();
        }
      },
      async take(ticket) {
        // One poller per connection at a time, but two processes may serve it: the conditional
        // update makes a request go to one of them only.
        for (let attempt = 0; attempt < 5; attempt++) {
          const next = await db
            .selectFrom('mailbox_requests')
            .selectAll()
            .where('connection', '=', connection)
            .where('status', '=', 'queued')
            .orderBy('id')
            .limit(1)
            .executeTakeFirst();
          if (!next) return undefined;
          const now = new Date().toISOString();
          const r = await db
            .updateTable('mailbox_requests')
            .set({ status: 'sent', ticket, sent_at: now })
            .where('id', '=', next.id)
            .where('status', '=', 'queued')
            .executeTakeFirst();
          if (Number(r.numUpdatedRows) === 1) return item({ ...next, status: 'sent', ticket, sent_at: now });
        }
        return undefined;
      },
      async inFlight(ticket) {
        const r = await db
          .selectFrom('mailbox_requests')
          .selectAll()
          .where('connection', '=', connection)
          .where('status', '=', 'sent')
          .where('ticket', '=', ticket)
          .orderBy('id')
          .limit(1)
          .executeTakeFirst();
        return r ? item(r) : undefined;
      },
      async settle(id, a: Answer) {
        await db
          .updateTable('mailbox_requests')
          .set({
            status: a.status,
            response: a.response ?? null,
            status_code: a.statusCode ?? null,
            status_message: a.statusMessage ?? null,
            answered_at: new Date().toISOString(),
          })
          .where('id', '=', id)
          .where('connection', '=', connection)
          .execute();
      },
      async orphans(activeTicket) {
        let q = db
          .selectFrom('mailbox_requests')
          .select(['id', 'retry_safe', 'sent_at', 'ticket'])
          .where('connection', '=', connection)
          .where('status', '=', 'sent');
        if (activeTicket) q = q.where('ticket', '!=', activeTicket);
        for (const r of await q.execute()) {
          if (r.retry_safe === 1) {
            await db
              .updateTable('mailbox_requests')
              .set({ status: 'queued', ticket: null, sent_at: null })
              .where('id', '=', r.id)
              .where('status', '=', 'sent')
              .execute();
          } else {
            await db
              .updateTable('mailbox_requests')
              .set({
                status: 'error',
                status_message: `handed to the Web Connector at ${r.sent_at} (session ${r.ticket}), which never brought an answer: QuickBooks may or may not have run it — look for it there before retrying`,
                answered_at: new Date().toISOString(),
              })
              .where('id', '=', r.id)
              .where('status', '=', 'sent')
              .execute();
          }
        }
      },
      async queued() {
        const r = await db
          .selectFrom('mailbox_requests')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('connection', '=', connection)
          .where('status', '=', 'queued')
          .executeTakeFirst();
        return Number(r?.n ?? 0);
      },
      async openSession(s) {
        const now = new Date().toISOString();
        await db
          .insertInto('mailbox_sessions')
          .values({
            ticket: s.ticket,
            connection,
            username: s.username,
            refused: s.refused ? 1 : 0,
            created_at: now,
            expires_at: s.expiresAt,
            last_seen_at: now,
            closed_at: s.refused ? now : null,
            company_file: null,
            country: null,
            version: null,
            client_version: null,
            answered: 0,
            last_error: s.lastError ?? null,
            wait_until: null,
          })
          .execute();
        // History is kept for a month: answers (the idempotency of writes lives in their keys, and a
        // record linked since needs none) and sessions.
        const old = new Date(Date.now() - KEEP_DAYS * 86_400_000).toISOString();
        await db
          .deleteFrom('mailbox_requests')
          .where('connection', '=', connection)
          .where('status', 'in', ['answered', 'error'])
          .where('answered_at', '<', old)
          .execute();
        await db
          .deleteFrom('mailbox_sessions')
          .where('connection', '=', connection)
          .where('last_seen_at', '<', old)
          .execute();
      },
      async session(ticket) {
        const r = await db
          .selectFrom('mailbox_sessions')
          .selectAll()
          .where('connection', '=', connection)
          .where('ticket', '=', ticket)
          .executeTakeFirst();
        return r ? session(r) : undefined;
      },
      async updateSession(ticket, p: SessionPatch) {
        const set: Partial<Record<keyof MailboxSessionsTable, unknown>> = {};
        if (p.lastSeenAt !== undefined) set.last_seen_at = p.lastSeenAt;
        if (p.expiresAt !== undefined) set.expires_at = p.expiresAt;
        if (p.closedAt !== undefined) set.closed_at = p.closedAt;
        if (p.companyFile !== undefined) set.company_file = p.companyFile;
        if (p.country !== undefined) set.country = p.country;
        if (p.version !== undefined) set.version = p.version;
        if (p.clientVersion !== undefined) set.client_version = p.clientVersion;
        if (p.lastError !== undefined) set.last_error = p.lastError;
        if (p.waitUntil !== undefined) set.wait_until = p.waitUntil;
        if (Object.keys(set).length === 0 && !p.answeredMore) return;
        const more = p.answeredMore ?? 0;
        await db
          .updateTable('mailbox_sessions')
          .set((eb) => ({ ...(set as object), answered: eb('answered', '+', more) }))
          .where('connection', '=', connection)
          .where('ticket', '=', ticket)
          .execute();
      },
      async lastSession() {
        const r = await db
          .selectFrom('mailbox_sessions')
          .selectAll()
          .where('connection', '=', connection)
          .orderBy('last_seen_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        return r ? session(r) : undefined;
      },
      async lastAccepted() {
        const r = await db
          .selectFrom('mailbox_sessions')
          .selectAll()
          .where('connection', '=', connection)
          .where('refused', '=', 0)
          .orderBy('last_seen_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        return r ? session(r) : undefined;
      },
    };
  }
}
