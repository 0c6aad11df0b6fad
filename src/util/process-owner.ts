import { hostname } from 'node:os';

/** The owner a process writes on what it holds (a run, a job lock): host and pid. */
export const processOwner = (): string => `${hostname()}:${process.pid}`;

/**
 * Whether the owner `host:pid` (optionally `:suffix`) is a process of this host that no longer exists
 * (killed, crashed): what it held is held by nobody. An owner on another host cannot be asked; its
 * heartbeat has to tell.
 */
export function ownerIsGone(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as { code?: string }).code === 'ESRCH';
  }
}
