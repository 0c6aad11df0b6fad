import type { FastifyReply, FastifyRequest } from 'fastify';
import { RUN_TASK } from '../../runtime/worker.js';
import { runCounts } from '../../store/index.js';
import type { ServerDeps } from '../app.js';

/** How often a stream looks at the store: runs may be advanced by another process (a CLI batch, a worker). */
const POLL_MS = 400;
const KEEPALIVE_MS = 15_000;

/** The flow's latest run as the progress bar shows it, or a run waiting in the queue. */
async function latest(deps: ServerDeps, flow: string) {
  const { store, queue } = deps.ctx;
  const [run] = await store.runs.list({ flow, limit: 1 });
  const queued = (await queue.waiting([RUN_TASK])).find(
    (j) => !j.running && j.payload.flow === flow && (!run || j.addedAt.toISOString() > run.started_at),
  );
  if (queued)
    return {
      id: null,
      flow,
      status: 'queued',
      trigger: (queued.payload.trigger as string | undefined) ?? null,
      counts: null,
      total: null,
      startedAt: null,
      finishedAt: null,
      message: null,
    };
  if (!run) return null;
  return {
    id: run.id,
    flow,
    status: run.status,
    trigger: run.trigger,
    counts: runCounts(run),
    total: run.total,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    message: run.message,
  };
}

/**
 * Server-sent events of one flow's progress. A stream is per flow, not per click, so a page reloaded
 * in the middle of a run picks the same progress bar up again; it reads the store, so a run started by
 * another process shows too.
 */
export async function flowEvents(deps: ServerDeps, flow: string, req: FastifyRequest, reply: FastifyReply) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let last = '';
  let closed = false;
  const send = async () => {
    if (closed) return;
    try {
      const text = JSON.stringify(await latest(deps, flow));
      if (text !== last && !closed) {
        res.write(`event: run\ndata: ${text}\n\n`);
        last = text;
      }
    } catch (e) {
      deps.ctx.logger.warn({ err: e, flow }, 'a progress stream could not read the store');
    }
  };
  await send();
  const poll = setInterval(() => void send(), POLL_MS);
  const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
  const stop = () => {
    closed = true;
    clearInterval(poll);
    clearInterval(keepalive);
    res.end();
  };
  req.raw.on('close', stop);
  deps.streams?.add(stop);
  res.on('close', () => deps.streams?.delete(stop));
}
