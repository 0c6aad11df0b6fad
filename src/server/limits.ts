/**
 * What one caller may ask of the HTTP service, beyond who they are: the defaults fit one office and
 * the systems the connectors talk to; `server.limits` in ledgerlink.yaml changes them (at a restart).
 */
export interface ServerLimits {
  /** Login attempts a minute from one address (a whole office behind one NAT shares it). */
  loginsPerMinutePerAddress: number;
  /** Passwords checked at once; the rest wait their turn, and past a queue of 20 are answered 429. */
  concurrentPasswordChecks: number;
  /** Webhook deliveries a minute to one connection from one address. */
  webhooksPerMinutePerAddress: number;
  /** Webhook deliveries a minute to one connection from every address together. */
  webhooksPerMinute: number;
  /** Days a refused (unverified) webhook delivery stays in the webhook log. */
  refusedWebhookRetentionDays: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  loginsPerMinutePerAddress: 20,
  concurrentPasswordChecks: 2,
  // A shop's flash sale: several events per order (saved, invoiced, shipped, paid), up to a thousand
  // orders a minute, from one or two addresses of the store's servers; Adobe Commerce waits for each
  // answer, so the limit must sit above what a real store sends and only cut off a flood.
  webhooksPerMinutePerAddress: 6_000,
  webhooksPerMinute: 30_000,
  refusedWebhookRetentionDays: 7,
};

/** A body limit for routes that take JSON from people and scripts (an ID list of 100,000 fits). */
export const JSON_BODY_LIMIT = 8 * 1024 * 1024;

/** The limits a server runs with: the defaults, under the configuration's, under the caller's. */
export const limitsOf = (deps: {
  ctx: { config: { server?: { limits?: Partial<ServerLimits> } } };
  limits?: Partial<ServerLimits>;
}): ServerLimits => ({ ...DEFAULT_LIMITS, ...deps.ctx.config.server?.limits, ...deps.limits });
