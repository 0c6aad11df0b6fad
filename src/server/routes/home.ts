import type { FastifyInstance } from 'fastify';
import { runCounts } from '../../store/index.js';
import type { ServerDeps } from '../app.js';

const esc = (s: unknown): string =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A plain status page until the dashboard arrives: flows, their record states and last runs, recent failures. */
export function registerHomeRoute(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    const rows: string[] = [];
    for (const name of ctx.engine.flowNames()) {
      const f = ctx.engine.flow(name);
      const [last] = await ctx.store.runs.list({ flow: name, limit: 1 });
      const states = await ctx.store.records.countByState(name);
      const c = last ? runCounts(last) : undefined;
      rows.push(
        `<tr><td>${esc(name)}</td><td>${esc(f.source)} → ${esc(f.target)}</td><td>${esc(f.schedule ?? 'manual')}</td><td>${esc(
          Object.entries(states)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || '—',
        )}</td><td>${last ? `${esc(last.status)} · ${esc(last.started_at)}<br><small>created ${c!.created} · updated ${c!.updated} · unchanged ${c!.unchanged} · failed ${c!.failed}</small>` : 'never'}</td></tr>`,
      );
    }
    const failures = (await ctx.store.log.list({ status: ['failed', 'aborted'], limit: 20 })).rows;
    const failRows = failures
      .map(
        (l) =>
          `<tr><td>${esc(l.created_at)}</td><td>${esc(l.flow)}</td><td>${esc(l.source_id)}</td><td>${esc(l.status)}</td><td>${esc(l.reason)}</td></tr>`,
      )
      .join('');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ledgerlink</title><meta http-equiv="refresh" content="10">
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1d2733}table{border-collapse:collapse;margin:1rem 0}td,th{border-bottom:1px solid #dde3ea;padding:.4rem .8rem;text-align:left;vertical-align:top}th{background:#f3f6f9}small{color:#5b6b7c}</style></head>
<body><h1>Ledgerlink</h1><p>Store: ${esc(ctx.store.location)} · <a href="/docs">API documentation</a></p>
<h2>Flows</h2><table><tr><th>Flow</th><th>Direction</th><th>Schedule</th><th>Records</th><th>Last run</th></tr>${rows.join('')}</table>
<h2>Recent failures</h2>${failRows ? `<table><tr><th>When</th><th>Flow</th><th>Record</th><th>Status</th><th>Reason</th></tr>${failRows}</table>` : '<p>None.</p>'}
</body></html>`;
  });
}
