import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback between a client and an HTTP service, which drops connections on cue: the
 * answer to a request naming `match` is cut as its first bytes come back (the service did the work,
 * the client never hears of it), or every connection is dropped and refused for a while (an outage).
 */
export class CuttingProxy {
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  private readonly rules: Array<{ match: string; remaining: number }> = [];
  private downUntil = 0;
  /** Answers cut, and connections refused during an outage. */
  readonly stats = { cut: [] as string[], refused: 0 };

  constructor(private target: { host: string; port: number }) {
    this.server = createServer((client) => this.relay(client));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Cut the answers to the next `times` requests whose request bytes contain `match`. */
  cutAnswerTo(match: string, times = 1): void {
    this.rules.push({ match, remaining: times });
  }

  /** Drops every connection now and refuses new ones for `ms`. */
  outage(ms: number): void {
    this.downUntil = Date.now() + ms;
    for (const s of this.open) s.destroy();
  }

  /** Points the proxy at another port (an agent started again). */
  retarget(port: number): void {
    this.target = { ...this.target, port };
  }

  private relay(client: Socket): void {
    if (Date.now() < this.downUntil) {
      this.stats.refused++;
      client.destroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    this.open.add(client);
    this.open.add(upstream);
    let cutting: string | undefined;
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.open.delete(client);
      this.open.delete(upstream);
    };
    client.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      const rule = this.rules.find((r) => r.remaining > 0 && text.includes(r.match));
      if (rule) {
        rule.remaining--;
        cutting = rule.match;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (cutting) {
        this.stats.cut.push(cutting);
        drop();
        return;
      }
      client.write(chunk);
    });
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
