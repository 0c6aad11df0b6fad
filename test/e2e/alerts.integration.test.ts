import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerter } from '../../src/runtime/alerts/alerter.js';
import { openStore } from '../../src/store/index.js';
import { type ReceivedMail, startSmtpReceiver, startWebhookReceiver } from '../support/alert-receivers.js';
import { usersWithTokens } from '../support/api-server.js';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { closeAndCheck, type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';

const FLOW = 'acumatica-magento.customers';
const H = 3_600_000;

/**
 * Issue 19 part 3, end to end over loopback: Ledgerlink serving between the Acumatica and Magento
 * sandboxes, alerts going to a local SMTP server and a local webhook endpoint. Each incident sends
 * one message per channel when it opens, one reminder per elapsed interval, one "resolved" when it
 * ends — and nothing for a check that finds it unchanged. Later instants are handed to the check
 * (`now`, the CLI's --at) instead of waiting hours.
 */
describe.each(DIALECTS)('alerts by e-mail and webhook (%s store)', (dialect) => {
  let env: OrderEnvironment;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let tokens: Awaited<ReturnType<typeof usersWithTokens>>;

  const mails = (rule: string, subject?: string) =>
    smtp.mails.filter(
      (m) =>
        m.headers['x-ledgerlink-rule'] === rule &&
        (subject === undefined || m.headers['x-ledgerlink-subject'] === subject),
    );
  const hooks = (rule: string, subject?: string) =>
    hook.bodies.filter((b) => b.rule === rule && (subject === undefined || b.subject === subject));
  const events = (xs: ReceivedMail[]) => xs.map((m) => m.headers['x-ledgerlink-event']);
  const check = (now?: Date) => env.svc.alerter.check(now ? { now } : {});
  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${env.svc.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: assertions read the answers' fields loosely
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const settled = async () => {
    await env.acumatica.pushIdle();
    await new Promise((r) => setTimeout(r, 200));
    await env.until(async () => (await env.ctx.store.inbox.depth()) === 0, 'the inbox to drain');
  };

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    hook = await startWebhookReceiver();
    env = await startOrderEnvironment({
      customers: 3,
      products: 1,
      dialect,
      patch: {
        alerts: {
          // The test checks when it wants; the timer never fires during it.
          checkEverySeconds: 3600,
          reminderHours: 4,
          email: {
            host: '127.0.0.1',
            port: smtp.port,
            from: 'ledgerlink@example.test',
            to: ['ops@example.test'],
          },
          webhook: { url: hook.url, format: 'json', timeoutMs: 3000 },
        },
      },
    });
    tokens = await usersWithTokens(env.ctx.store, [
      ['vera', 'viewer'],
      ['olga', 'operator'],
    ]);
  }, 120_000);
  afterAll(async () => {
    await closeAndCheck(env);
    await smtp?.close();
    await hook?.close();
  });

  it('a failed run: one alert by e-mail and one by webhook, each linking to the flow', async () => {
    env.acumatica.kit.injectFault({
      kind: 'status',
      status: 400,
      times: 1000,
      match: { method: 'GET', path: 'Customer' },
    });
    const run = await env.ctx.engine.run(FLOW, { trigger: 'manual' });
    expect(run.status).toBe('failed');
    const r = await check();
    expect(r.opened).toBeGreaterThanOrEqual(1);
    expect(events(mails('run_failed'))).toEqual(['opened']);
    const mail = mails('run_failed')[0]!;
    expect(mail.to).toEqual(['ops@example.test']);
    expect(mail.text).toContain(`Details: ${env.svc.url}/flows/${FLOW}`);
    expect(mail.text).toMatch(/Since: \d{4}-\d\d-\d\dT/);
    const body = hooks('run_failed')[0]!;
    expect(hooks('run_failed')).toHaveLength(1);
    expect(body).toMatchObject({
      event: 'opened',
      subject: `flow:${FLOW}`,
      link: `${env.svc.url}/flows/${FLOW}`,
    });
    expect(String(body.summary)).toContain(`run ${run.runId} failed`);
  });

  it('a second check while it lasts sends nothing; after the reminder interval one reminder each', async () => {
    await check();
    await check();
    expect(mails('run_failed')).toHaveLength(1);
    expect(hooks('run_failed')).toHaveLength(1);
    const later = new Date(Date.now() + 4 * H + 60_000);
    await check(later);
    await check(later);
    expect(events(mails('run_failed'))).toEqual(['opened', 'reminder']);
    expect(hooks('run_failed').map((b) => b.event)).toEqual(['opened', 'reminder']);
  });

  it('a good run ends it: one "resolved" each (the check run by the CLI), and the API and CLI show it', async () => {
    env.acumatica.kit.clearFaults();
    const run = await env.ctx.engine.run(FLOW, { trigger: 'manual' });
    expect(run.status).toBe('succeeded');
    const cli = await runCli(['alerts', 'check', '--json', '--config', env.configPath]);
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toMatchObject({ failed: 0, problems: [] });
    expect(JSON.parse(cli.stdout).resolved).toBeGreaterThanOrEqual(1);
    await check();
    expect(events(mails('run_failed'))).toEqual(['opened', 'reminder', 'resolved']);
    expect(hooks('run_failed').map((b) => b.event)).toEqual(['opened', 'reminder', 'resolved']);
    expect(hooks('run_failed')[2]!.resolvedAt).toBeTruthy();

    const listed = await api('GET', '/api/alerts?state=resolved&limit=10', tokens.viewer!);
    expect(listed.status).toBe(200);
    const incident = listed.body.incidents.find((i: { rule: string }) => i.rule === 'run_failed');
    expect(incident).toMatchObject({ state: 'resolved', subject: `flow:${FLOW}`, link: `/flows/${FLOW}` });
    expect(
      incident.deliveries
        .map((d: { event: string; channel: string; status: string }) => `${d.channel} ${d.event} ${d.status}`)
        .sort(),
    ).toEqual([
      'email opened sent',
      'email reminder:1 sent',
      'email resolved sent',
      'webhook opened sent',
      'webhook reminder:1 sent',
      'webhook resolved sent',
    ]);
    const tooMany = await api('GET', '/api/alerts?limit=5000', tokens.viewer!);
    expect(tooMany.status).toBe(400);

    const cliList = await runCli(['alerts', '--state', 'resolved', '--json', '--config', env.configPath]);
    const listedByCli = JSON.parse(cliList.stdout) as { incidents: Array<{ rule: string; state: string }> };
    expect(listedByCli.incidents.some((i) => i.rule === 'run_failed' && i.state === 'resolved')).toBe(true);
  });

  it('"0 records" and a quiet webhook intake open after longer than usual, and resolve when records and deliveries come again', async () => {
    // Six pushed changes: deliveries that set what "usual" is, and runs that read records.
    for (const round of [1, 2])
      for (const id of ['C000001', 'C000002', 'C000003']) {
        env.acumatica.touch('customer', [id], (c) => {
          (c as { CreditLimit?: { value: number } }).CreditLimit = { value: 1000 * round };
        });
        await settled();
      }
    expect(
      (await env.ctx.engine.run(FLOW, { trigger: 'manual', incremental: true })).counts.read,
    ).toBeGreaterThan(0);
    // Then the flow keeps running but reads nothing.
    const empty = await env.ctx.engine.run(FLOW, { trigger: 'manual', query: { ids: ['NO-SUCH-CUSTOMER'] } });
    expect([empty.status, empty.counts.read]).toEqual(['succeeded', 0]);

    const soon = new Date(Date.now() + 30 * 60_000);
    await check(soon);
    expect(mails('zero_records')).toHaveLength(0);
    expect(mails('webhook_quiet', 'connection:acumatica')).toHaveLength(0);

    const later = new Date(Date.now() + 2 * H + 5 * 60_000);
    await check(later);
    await check(later);
    expect(events(mails('zero_records', `flow:${FLOW}`))).toEqual(['opened']);
    expect(hooks('zero_records', `flow:${FLOW}`).map((b) => b.link)).toEqual([
      `${env.svc.url}/flows/${FLOW}`,
    ]);
    expect(events(mails('webhook_quiet', 'connection:acumatica'))).toEqual(['opened']);
    expect(hooks('webhook_quiet', 'connection:acumatica').map((b) => b.link)).toEqual([
      `${env.svc.url}/webhooks?connection=acumatica`,
    ]);

    env.acumatica.touch('customer', ['C000001'], (c) => {
      (c as { CreditLimit?: { value: number } }).CreditLimit = { value: 9000 };
    });
    await settled();
    expect(
      (await env.ctx.engine.run(FLOW, { trigger: 'manual', incremental: true })).counts.read,
    ).toBeGreaterThan(0);
    await check();
    await check();
    expect(events(mails('zero_records', `flow:${FLOW}`))).toEqual(['opened', 'resolved']);
    expect(hooks('zero_records', `flow:${FLOW}`).map((b) => b.event)).toEqual(['opened', 'resolved']);
    expect(events(mails('webhook_quiet', 'connection:acumatica'))).toEqual(['opened', 'resolved']);
    expect(hooks('webhook_quiet', 'connection:acumatica').map((b) => b.event)).toEqual([
      'opened',
      'resolved',
    ]);
  });

  it('a refresh token expiring soon opens one incident; a webhook refused is sent again at the next check', async () => {
    const credentials = env.ctx.store.credentials.forConnection('magento');
    await credentials.set(
      'qbo_refresh_token_expires_at',
      new Date(Date.now() + 3 * 86_400_000).toISOString(),
    );
    hook.failNext.count = 1;
    const first = await check();
    expect(first.failed).toBe(1);
    const refused = await env.ctx.store.db
      .selectFrom('alert_deliveries')
      .select('error')
      .where('channel', '=', 'webhook')
      .where('status', '=', 'failed')
      .execute();
    expect(refused).toHaveLength(1);
    // The endpoint's 200 KB answer is named by its status and the start of its body.
    expect(refused[0]!.error).toBe(`the webhook answered 503: try later ${'x'.repeat(190)}`);
    expect(events(mails('credential_expiry'))).toEqual(['opened']);
    expect(mails('credential_expiry')[0]!.text).toContain(`${env.svc.url}/connections`);
    expect(hooks('credential_expiry')).toHaveLength(0);
    const second = await check();
    expect(second.failed).toBe(0);
    expect(hooks('credential_expiry').map((b) => b.event)).toEqual(['opened']);
    await check();
    expect(mails('credential_expiry')).toHaveLength(1);

    // Authorized again: the token now lasts 100 days.
    await credentials.set(
      'qbo_refresh_token_expires_at',
      new Date(Date.now() + 100 * 86_400_000).toISOString(),
    );
    await check();
    expect(events(mails('credential_expiry'))).toEqual(['opened', 'resolved']);
    expect(hooks('credential_expiry').map((b) => b.event)).toEqual(['opened', 'resolved']);

    // A webhook subscription an upkeep renews (Accurate's state: its last day), renewal failing.
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    await env.ctx.store.cursors.set('upkeep:acumatica', JSON.stringify({ activeUntil: day(2) }));
    await check();
    await check();
    const subject = 'credential:acumatica:webhook-subscription';
    expect(events(mails('credential_expiry', subject))).toEqual(['opened']);
    expect(String(hooks('credential_expiry', subject)[0]?.summary)).toContain(
      `acumatica: the webhook subscription expires in`,
    );
    await env.ctx.store.cursors.set('upkeep:acumatica', JSON.stringify({ activeUntil: day(30) }));
    await check();
    expect(events(mails('credential_expiry', subject))).toEqual(['opened', 'resolved']);
  });

  it('rules: a viewer reads them, an operator changes a threshold, a bad value names the field', async () => {
    const read = await api('GET', '/api/alerts/rules', tokens.viewer!);
    expect(read.status).toBe(200);
    const failed = read.body.rules.find((r: { kind: string }) => r.kind === 'failed_records');
    expect(failed).toMatchObject({ enabled: true, params: { threshold: 10 }, defaults: { threshold: 10 } });
    expect(read.body.channels.email).toMatchObject({ configured: true, to: ['ops@example.test'] });

    const refused = await api('PUT', '/api/alerts/rules', tokens.viewer!, {
      rules: [{ kind: 'failed_records', params: { threshold: 0 } }],
    });
    expect(refused.status).toBe(403);
    const bad = await api('PUT', '/api/alerts/rules', tokens.operator!, {
      rules: [{ kind: 'failed_records', params: { threshold: -1 } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('rules[0].params.threshold must be between 0 and 1000000');
    const saved = await api('PUT', '/api/alerts/rules', tokens.operator!, {
      rules: [{ kind: 'failed_records', params: { threshold: 25 } }],
    });
    expect(saved.status).toBe(200);
    const again = await api('GET', '/api/alerts/rules', tokens.viewer!);
    expect(again.body.rules.find((r: { kind: string }) => r.kind === 'failed_records').params.threshold).toBe(
      25,
    );

    const test = await api('POST', '/api/alerts/test', tokens.operator!, { channel: 'webhook' });
    expect(test.status).toBe(200);
    expect(hook.bodies.at(-1)).toMatchObject({ event: 'test', rule: 'test' });
  });

  it('failed records above a threshold: two processes checking at once send one alert; fixed records resolve it', async () => {
    const lowered = await api('PUT', '/api/alerts/rules', tokens.operator!, {
      rules: [{ kind: 'failed_records', params: { threshold: 0 } }],
    });
    expect(lowered.status).toBe(200);
    env.magento.kit.injectFault({
      kind: 'status',
      status: 400,
      times: 1000,
      match: { method: 'PUT', path: '/V1/customers/' },
    });
    env.acumatica.touch('customer', ['C000002'], (c) => {
      (c as { CreditLimit?: { value: number } }).CreditLimit = { value: 4242 };
    });
    await settled();
    const failing = await env.ctx.engine.run(FLOW, { trigger: 'manual', query: { ids: ['C000002'] } });
    expect(failing.counts.failed).toBe(1);

    // A second process on the same store (its own connections), checking at the same moment.
    const other = await openStore(env.db.url);
    try {
      const second = new Alerter(
        other,
        () => env.ctx.config,
        env.ctx.logger,
        () => env.svc.url,
      );
      const [a, b] = await Promise.all([check(), second.check()]);
      expect(a.opened + b.opened).toBe(1);
      expect(a.sent + b.sent).toBe(2);
      await Promise.all([check(), second.check()]);
    } finally {
      await other.close();
    }
    expect(events(mails('failed_records', `flow:${FLOW}`))).toEqual(['opened']);
    expect(hooks('failed_records', `flow:${FLOW}`).map((b) => b.link)).toEqual([
      `${env.svc.url}/log?flow=${FLOW}&status=failed`,
    ]);

    env.magento.kit.clearFaults();
    const fixed = await env.ctx.engine.run(FLOW, { trigger: 'manual', query: { ids: ['C000002'] } });
    expect(fixed.counts.failed).toBe(0);
    await check();
    expect(events(mails('failed_records', `flow:${FLOW}`))).toEqual(['opened', 'resolved']);
    expect(hooks('failed_records', `flow:${FLOW}`).map((b) => b.event)).toEqual(['opened', 'resolved']);
  });

  it('a run stuck far longer than usual opens an incident, resolved once it ends', async () => {
    // The source's first read hangs until the client's timeout (5 s), then is asked again.
    env.acumatica.kit.injectFault({ kind: 'hang', times: 1, match: { method: 'GET', path: 'Customer' } });
    const running = env.ctx.engine.run(FLOW, { trigger: 'manual', query: { ids: ['C000003'] } });
    await env.until(
      async () => (await env.ctx.store.alerts.recentRuns(FLOW, 1))[0]?.status === 'running',
      'the run to start',
    );
    await check(new Date(Date.now() + 31 * 60_000));
    expect(events(mails('run_stuck', `flow:${FLOW}`))).toEqual(['opened']);
    expect(hooks('run_stuck', `flow:${FLOW}`).map((b) => b.event)).toEqual(['opened']);
    expect((await running).status).toBe('succeeded');
    await check();
    expect(events(mails('run_stuck', `flow:${FLOW}`))).toEqual(['opened', 'resolved']);
    expect(hooks('run_stuck', `flow:${FLOW}`).map((b) => b.event)).toEqual(['opened', 'resolved']);
  });

  it('incidents resolved more than 90 days ago are forgotten with their messages', async () => {
    const resolved = async () =>
      (await api('GET', '/api/alerts?state=resolved&limit=100', tokens.viewer!)).body.incidents as Array<{
        id: number;
        rule: string;
      }>;
    const old = (await resolved()).find((i) => i.rule === 'run_failed');
    expect(old).toBeDefined();
    expect(await env.ctx.store.alerts.deliveries([old!.id])).toHaveLength(6);
    await check(new Date(Date.now() + 91 * 86_400_000));
    expect((await resolved()).filter((i) => i.rule === 'run_failed')).toEqual([]);
    expect(await env.ctx.store.alerts.deliveries([old!.id])).toEqual([]);
  });
});
