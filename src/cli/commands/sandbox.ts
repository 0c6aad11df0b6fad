import type { Command } from 'commander';
import { output, reportError, UsageError } from '../output.js';
import { untilSignal } from '../signals.js';

/** What people do in each sandbox, over its /_sandbox/orders endpoints. */
export const SANDBOX_VERBS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  magento: {
    place: 'a shopper places an order (--customer <id>, --sku <sku> [--qty <n>], repeatable)',
    pay: 'the payment of <order> is captured (a paid invoice: Magento records payments as invoices)',
    ship: 'the admin ships what is left of <order>, with a tracking number',
    invoice: 'the admin invoices what is left of <order>',
    cancel: 'the admin cancels what is left of <order>',
  },
  acumatica: {
    enter: 'a sales order is entered (--customer <id>, --sku <inventory id> [--qty <n>], repeatable)',
    pay: 'a payment of what <order> has unpaid is entered, applied to it and released',
    ship: 'a shipment of <order> is created and confirmed, with a tracking number',
    invoice: "<order>'s confirmed shipments are invoiced and the invoices released",
  },
};

const VERB_HELP = `
Make things happen in a running sandbox (the sandboxes push each change to their webhooks):
${Object.entries(SANDBOX_VERBS)
  .map(
    ([system, verbs]) =>
      `  ${system}:\n${Object.entries(verbs)
        .map(
          ([verb, what]) =>
            `    ledgerlink sandbox ${system} ${verb}${verb === 'place' || verb === 'enter' ? '' : ' <order>'}  ${what}`,
        )
        .join('\n')}`,
  )
  .join('\n')}
  A verb calls the sandbox at --url (default http://127.0.0.1:<its port>): POST /_sandbox/orders places or
  enters an order, POST /_sandbox/orders/<order>/<verb> does the rest; <order> is Magento's order number or
  entity id, or Acumatica's order number. Faults: POST /_sandbox/faults; calls: GET /_sandbox/calls.`;

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface Options {
  port?: string;
  host: string;
  seed: string;
  customers?: string;
  products?: string;
  defects?: boolean;
  conformance?: boolean;
  latencyMs: string;
  requestsPerSecond?: string;
  sessionTimeoutMinutes?: string;
  url?: string;
  customer?: string;
  sku?: string[];
  qty?: string[];
  json?: boolean;
}

export function registerSandbox(program: Command): void {
  program
    .command('sandbox <system> [verb] [order]')
    .description(
      "Run a sandbox of a connected system alone (acumatica, magento), serving its real API's shapes; with a verb, make something happen in a running one",
    )
    .option('--port <n>', 'port (default 8081 for acumatica, 8082 for magento; 0 picks a free one)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <n>', 'seed of the sample data', '1')
    .option('--customers <n>', 'sample customers (default 100)')
    .option('--products <n>', 'sample products (default 100)')
    .option('--defects', 'include a few records a person must fix')
    .option('--conformance', 'check every request and response against the published spec')
    .option('--latency-ms <n>', 'added to every API call, to imitate a remote system', '0')
    .option(
      '--requests-per-second <n>',
      'API calls allowed per second (bursts up to that many); beyond it 429 with Retry-After (default: no limit)',
    )
    .option(
      '--session-timeout-minutes <n>',
      "acumatica: a session left idle this long ends, as the site's web.config says (default 60)",
    )
    .option('--url <url>', 'with a verb: the running sandbox (default http://<host>:<port>)')
    .option('--customer <id>', 'with place/enter: the customer (default the first)')
    .option('--sku <sku>', 'with place/enter: a product (repeat for more lines; default the first)', collect)
    .option('--qty <n>', 'with place/enter: the quantity of each --sku, in order (default 1)', collect)
    .option('--json', 'print the address (or the verb’s answer) as JSON')
    .addHelpText('after', VERB_HELP)
    .action(async (system: string, verb: string | undefined, order: string | undefined, o: Options) => {
      const out = output(o.json === true);
      try {
        const { sandboxRegistry } = await import('../../connectors/sandboxes.js');
        const entry = sandboxRegistry[system];
        if (!entry)
          throw new UsageError(
            `no sandbox named "${system}"; available: ${Object.keys(sandboxRegistry).join(', ')}`,
          );
        if (verb !== undefined) {
          await runVerb(system, verb, order, o, entry.defaultPort, out);
          return;
        }
        const nums = {
          port: o.port ?? String(entry.defaultPort),
          seed: o.seed,
          customers: o.customers ?? '100',
          products: o.products ?? '100',
          'latency-ms': o.latencyMs,
          ...(o.requestsPerSecond !== undefined ? { 'requests-per-second': o.requestsPerSecond } : {}),
          ...(o.sessionTimeoutMinutes !== undefined
            ? { 'session-timeout-minutes': o.sessionTimeoutMinutes }
            : {}),
        };
        for (const [k, v] of Object.entries(nums)) {
          if (!/^\d+$/.test(v)) throw new UsageError(`--${k} must be a whole number (got "${v}")`);
        }
        const sb = await entry.start({
          host: o.host,
          port: Number(nums.port),
          seed: Number(nums.seed),
          customers: Number(nums.customers),
          products: Number(nums.products),
          defects: o.defects === true,
          conformance: o.conformance === true,
          latencyMs: Number(nums['latency-ms']),
          ...(nums['requests-per-second'] ? { requestsPerSecond: Number(nums['requests-per-second']) } : {}),
          ...(nums['session-timeout-minutes']
            ? { sessionIdleMs: Number(nums['session-timeout-minutes']) * 60_000 }
            : {}),
        });
        const settings = entry.settings(sb);
        out.result({ system, url: sb.url, settings });
        out.line(
          `${system} sandbox on ${sb.url} with ${nums.customers} customers and ${nums.products} products (seed ${nums.seed})`,
        );
        out.line(`connection settings: ${JSON.stringify(settings)}`);
        const verbs = Object.keys(SANDBOX_VERBS[system] ?? {});
        if (verbs.length)
          out.line(
            `make things happen: ledgerlink sandbox ${system} ${verbs.join('|')} [<order>] --url ${sb.url} (see ledgerlink sandbox --help)`,
          );
        out.line(
          `faults: POST ${sb.url}/_sandbox/faults {"kind":"status","status":429,"retryAfterSeconds":2,"times":3}; calls: GET ${sb.url}/_sandbox/calls`,
        );
        await untilSignal(() => sb.close());
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      }
    });
}

async function runVerb(
  system: string,
  verb: string,
  order: string | undefined,
  o: Options,
  defaultPort: number,
  out: ReturnType<typeof output>,
): Promise<void> {
  const verbs = SANDBOX_VERBS[system] ?? {};
  if (!verbs[verb])
    throw new UsageError(
      `the ${system} sandbox has no verb "${verb}"; it has: ${Object.keys(verbs).join(', ')}`,
    );
  const creates = verb === 'place' || verb === 'enter';
  if (creates && order !== undefined) throw new UsageError(`${verb} makes a new order; leave out "${order}"`);
  if (!creates && order === undefined)
    throw new UsageError(`${verb} needs the order: ledgerlink sandbox ${system} ${verb} <order>`);
  const qty = (o.qty ?? []).map((q) => {
    if (!(Number(q) > 0)) throw new UsageError(`--qty must be a positive number (got "${q}")`);
    return Number(q);
  });
  if (qty.length > (o.sku ?? []).length) throw new UsageError('each --qty goes with a --sku before it');
  const base = (o.url ?? `http://${o.host}:${o.port ?? defaultPort}`).replace(/\/$/, '');
  let body: Record<string, unknown> = {};
  if (creates) {
    const lines = (o.sku ?? []).map((sku, i) =>
      system === 'magento' ? { sku, qty: qty[i] ?? 1 } : { inventoryId: sku, qty: qty[i] ?? 1 },
    );
    if (o.customer !== undefined && system === 'magento' && !/^\d+$/.test(o.customer))
      throw new UsageError(`--customer is a Magento customer id, a number (got "${o.customer}")`);
    body = {
      ...(o.customer !== undefined
        ? { customerId: system === 'magento' ? Number(o.customer) : o.customer }
        : {}),
      ...(lines.length ? { lines } : {}),
    };
  }
  const path = creates ? '/_sandbox/orders' : `/_sandbox/orders/${encodeURIComponent(order!)}/${verb}`;
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error(
      `no ${system} sandbox answers at ${base} (start one with "ledgerlink sandbox ${system}", or give --url)`,
    );
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown> & { message?: string };
  if (!res.ok) throw new Error(`the ${system} sandbox refused to ${verb}: ${answer.message ?? res.status}`);
  out.result(answer);
  out.line(describe(system, verb, answer));
}

/** One line a person reads: what happened, and where the order stands now. */
function describe(system: string, verb: string, a: Record<string, unknown>): string {
  const order = (a.order ?? {}) as Record<string, unknown>;
  if (system === 'magento') {
    const name = `order ${order.incrementId} (entity ${order.entityId})`;
    const where = `now ${order.state}/${order.status}, paid ${order.totalPaid} of ${order.grandTotal}`;
    const doc = (a.shipment ?? a.invoice) as { incrementId?: string } | undefined;
    if (verb === 'place') return `placed ${name}: ${order.grandTotal}, ${order.state}/${order.status}`;
    if (verb === 'ship') return `shipped ${name}: shipment ${doc?.incrementId}; ${where}`;
    if (verb === 'cancel') return `canceled what was left of ${name}; ${where}`;
    return `${verb === 'pay' ? 'captured the payment of' : 'invoiced'} ${name}: invoice ${doc?.incrementId}; ${where}`;
  }
  const name = `sales order ${order.orderType} ${order.orderNbr}`;
  const where = `now ${order.status}, unpaid ${order.unpaidBalance} of ${order.orderTotal}`;
  if (verb === 'enter')
    return `entered ${name} for ${order.customerId}: ${order.orderTotal}; ${order.status}`;
  if (verb === 'pay') {
    const p = a.payment as { referenceNbr?: string; amount?: number };
    return `paid ${name}: payment ${p.referenceNbr} of ${p.amount}, released; ${where}`;
  }
  if (verb === 'ship') {
    const s = a.shipment as { shipmentNbr?: string };
    return `shipped ${name}: shipment ${s.shipmentNbr}, confirmed; ${where}`;
  }
  const invoices = (a.invoices as Array<{ referenceNbr: string }>).map((i) => i.referenceNbr).join(', ');
  return `invoiced ${name}: ${invoices}, released; ${where}`;
}
