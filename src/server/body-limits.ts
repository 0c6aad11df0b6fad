import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tooLarge } from './request-limits.js';

/**
 * How much of a refused body is still read, and dropped, before its 413 goes out. A sender is
 * still writing when the limit is passed; answered and closed at once, its connection is reset
 * under it, and most clients then report a broken pipe instead of the answer (nginx's "lingering
 * close" is the same idea). Past these bounds the sender is cut off: it is not an honest one.
 */
export const LINGER = { bytes: 16 * 1024 * 1024, ms: 5_000 };

/** No route that takes raw bodies may take more than this: the parser's own ceiling. */
export const HARD_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * In `scope`, every body is taken as text, whatever its content type, up to HARD_BODY_LIMIT: for a
 * route that verifies or parses the raw body itself (a webhook, a SOAP call) and counts its own
 * limit with `refusedByLength` and `countedBody`.
 */
export function rawTextBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: HARD_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
}

/**
 * onRequest: a body whose declared length is over `max` is refused before it is parsed. One within
 * the linger bound is read to its end and dropped first, so the sender reads the 413. Returns
 * whether it answered.
 */
export async function refusedByLength(
  req: FastifyRequest,
  reply: FastifyReply,
  max: number,
  what: string,
): Promise<boolean> {
  const declared = Number(req.headers['content-length']);
  if (!Number.isFinite(declared) || declared <= max) return false;
  await drainRefused(req.raw, max);
  // A body past the linger bound is not read to its end: the connection ends after the answer.
  reply.header('connection', 'close');
  const e = tooLarge(what, max);
  await reply.code(413).send({ error: { code: e.code, message: e.message } });
  return true;
}

/**
 * Before the 413 of a body over `max` goes out: the rest of it is read and dropped, within the
 * linger bounds (a declared length past them is not waited for). Never fails.
 */
export async function drainRefused(raw: IncomingMessage, max: number): Promise<void> {
  if (raw.complete || raw.destroyed) return;
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > max + LINGER.bytes) return;
  await dropBody(raw, Number.isFinite(declared) ? declared : LINGER.bytes);
}

/** Reads and drops up to `bytes` more of a request body, for at most LINGER.ms; never fails. */
function dropBody(raw: IncomingMessage, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', finish);
      raw.off('error', finish);
      raw.off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= bytes) finish();
    };
    const timer = setTimeout(finish, LINGER.ms);
    raw.on('data', onData);
    raw.once('end', finish);
    raw.once('error', finish);
    raw.once('close', finish);
    raw.resume();
  });
}

/**
 * preParsing: the body counted as it streams (a chunked body has no length to refuse it by). Past
 * `max` the rest is dropped, not kept, and the stream fails with the 413 when the body ends, or
 * once the linger bound (bytes or time) is passed.
 */
export function countedBody(payload: NodeJS.ReadableStream, max: number, what: string): Transform {
  let seen = 0;
  let timer: NodeJS.Timeout | undefined;
  const refusal = () => tooLarge(what, max);
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen <= max) return done(null, chunk);
      if (seen > max + LINGER.bytes) return done(refusal());
      timer ??= setTimeout(() => counter.destroy(refusal()), LINGER.ms);
      done();
    },
    flush(done: TransformCallback) {
      done(seen > max ? refusal() : null);
    },
    destroy(error, done) {
      clearTimeout(timer);
      done(error);
    },
  });
  payload.on('error', (e) => counter.destroy(e));
  // Fastify compares what it received with content-length using this figure.
  Object.defineProperty(counter, 'receivedEncodedLength', { get: () => seen });
  return payload.pipe(counter);
}
