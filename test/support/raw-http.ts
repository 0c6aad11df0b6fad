import { connect } from 'node:net';

/**
 * One raw HTTP/1.1 exchange on its own socket: the head is written at once, the body part by part,
 * so a test can see what the server answers, and when, while the sender is still writing.
 */
export function rawExchange(base: string, head: string) {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  let received = '';
  let error: Error | undefined;
  socket.on('data', (d: Buffer) => {
    received += d.toString('latin1');
  });
  socket.on('error', (e) => {
    error = e;
  });
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  socket.write(head);
  return {
    write: (b: Buffer) => new Promise<void>((r) => socket.write(b, () => r())),
    received: () => received,
    error: () => error,
    closed,
    destroy: () => socket.destroy(),
  };
}
