// Shared helpers for qbench scripts.

import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

export const PGBASE = process.env.PGBASE || 'postgres://postgres@127.0.0.1:5432';
export const now = () => performance.timeOrigin + performance.now(); // sub-ms epoch, comparable across processes
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function createDb(prefix) {
  const name = `${prefix}_${process.pid}_${Date.now() % 100000}`;
  const c = new pg.Client({ connectionString: `${PGBASE}/postgres` });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  return { name, url: `${PGBASE}/${name}` };
}

export async function dropDb(name) {
  const c = new pg.Client({ connectionString: `${PGBASE}/postgres` });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
}

export function pct(arr, p) {
  const s = [...arr].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// Hard stop so no script can outlive its budget.
export function budget(ms, onTimeout) {
  const t = setTimeout(async () => {
    console.error(`BUDGET ${ms}ms exceeded, aborting`);
    try {
      await onTimeout?.();
    } catch {}
    process.exit(2);
  }, ms);
  t.unref();
  return t;
}

// Fork a child worker; returns {child, msgs, waitFor(pred, timeout)}
export function spawnChild(script, env) {
  const child = fork(new URL(script, import.meta.url).pathname, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const msgs = [];
  const waiters = [];
  child.on('message', (m) => {
    msgs.push(m);
    for (const w of [...waiters])
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
  });
  const waitFor = (pred, timeout = 30000) =>
    new Promise((resolve, reject) => {
      const hit = msgs.find(pred);
      if (hit) return resolve(hit);
      const w = { pred, resolve };
      waiters.push(w);
      setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) {
          waiters.splice(i, 1);
          reject(new Error('waitFor timeout'));
        }
      }, timeout).unref();
    });
  const exited = new Promise((r) => child.on('exit', r));
  return { child, msgs, waitFor, exited };
}

export function exactlyOnce(countsList, n) {
  const total = new Map();
  for (const counts of countsList) for (const [id, c] of counts) total.set(id, (total.get(id) || 0) + c);
  let missing = 0,
    dup = 0;
  for (let i = 0; i < n; i++) {
    const c = total.get(i) || 0;
    if (c === 0) missing++;
    if (c > 1) dup++;
  }
  return { missing, dup, distinct: total.size };
}
