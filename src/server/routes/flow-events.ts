import type { FastifyReply, FastifyRequest } from 'fastify';
import { RUN_TASK } from '../../runtime/worker.js';
import { type Run, runCounts } from '../../store/index.js';
import type { ServerDeps } from '../app.js';

/** How often a stream looks at the store: runs may be advanced by another process (a CLI batch, a worker). */
const POLL_MS = 400;
const KEEPALIVE_MS = 15_000;

/** Which run a stream follows: the one a request queued, a given run, or (neither) the flow's latest. */
export interface Follow {
  run?: number;
  request?: string;
}

const queuedEvent = (flow: string, trigger: unknown, startedBy: unknown) => ({
  id: null,
  flow,
  status: 'queued',
  trigger: typeof trigger === 'string' ? trigger : null,
  startedBy: typeof startedBy === 'string' ? startedBy : null,
  counts: null,
  total: null,
  startedAt: null,
  finishedAt: null,
  message: null,
});

const runEvent = (flow: string, run: Run) => ({
  id: run.id,
  flow,
  status: run.status,
  trigger: run.trigger,
  startedBy: run.started_by,
  counts: runCounts(run),
  total: run.total,
  startedAt: run.started_at,
  finishedAt: run.finished_at,
  message: run.message,
});

/** The run a stream follows as the progress bar shows it, or the request's job waiting in the queue. */
async function latest(deps: ServerDeps, flow: string, follow: Follow) {
  const { store, queue } = deps.ctx;
  if (follow.run !== undefined) {
    const run = await store.runs.get(follow.run);
    return run && run.flow === flow ? runEvent(flow, run) : null;
  }
  if (follow.request) {
    const run = await store.runs.byRequest(flow, follow.request);
    if (run) return runEvent(flow, run);
    const job = (await queue.waiting([RUN_TASK])).find(
      (j) => j.payload.flow === flow && j.payload.request === follow.request,
    );
    return job ? queuedEvent(flow, job.payload.trigger, job.payload.startedBy) : null;
  }
  const [run] = await store.runs.list({ flow, limit: 1 });
  const queued = (await queue.waiting([RUN_TASK])).find(
    (j) => !j.running && j.payload.flow === flow && (!run || j.addedAt.toISOString() > run.started_at),
  );
  if (queued) return queuedEvent(flow, queued.payload.trigger, queued.payload.startedBy);
  return run ? runEvent(flow, run) : null;
}

/**
 * Server-sent events of one flow's progress. A stream follows the run a request queued (or a given
 * run), so the screen that started a run keeps showing that run — also after a reload, which asks
 * for the same request again — and not whichever webhook or schedule run came last; without either it
 * follows the flow's latest run. It reads the store, so a run carried out by another process shows too.
 */
export async function flowEvents(
  deps: ServerDeps,
  flow: string,
  req: FastifyRequest,
  reply: FastifyReply,
  follow: Follow = {},
) {
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
      const text = JSON.stringify(await latest(deps, flow, follow));
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
