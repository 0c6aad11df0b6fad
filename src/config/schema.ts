import { z } from 'zod';
import { SYNC_MODES } from '../engine/flow.js';
import { entityNames } from '../model/index.js';

const name = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, { message: 'use lower-case letters, digits, "-" and "_"' });

const positive = (what: string) =>
  z.number({ message: `${what} must be a number` }).positive({ message: `${what} must be more than 0` });

/**
 * A connection's own allowance, over what its connector declares (a QuickBooks company on a plan with
 * a lower ceiling, a shop that asks for fewer parallel calls). Each field given replaces the
 * manifest's; the ones left out keep it.
 */
const wholeAtLeastOne = (what: string) =>
  z
    .number({ message: `${what} must be a number` })
    .int({ message: `${what} must be a whole number` })
    .min(1, { message: `${what} must be at least 1` })
    .optional();

export const RateLimitConfig = z
  .object({
    requestsPerSecond: positive('requests per second').optional(),
    requestsPerMinute: positive('requests per minute').optional(),
    concurrency: z
      .number({ message: 'concurrency must be a whole number' })
      .int({ message: 'concurrency must be a whole number of requests in flight' })
      .min(1, { message: 'concurrency must be at least 1 (requests in flight at once)' })
      .optional(),
  })
  .strict();

export const ConnectionConfig = z
  .object({
    connector: z.string().min(1),
    settings: z.record(z.string(), z.unknown()).default({}),
    rateLimit: RateLimitConfig.optional(),
  })
  .strict();

const ConditionConfig = z
  .object({ name: z.string().min(1), expression: z.string().min(1), explain: z.string().min(1).optional() })
  .strict();

export const FlowConfig = z
  .object({
    description: z.string().optional(),
    /**
     * A copy of this catalog flow under the configured name: the same flow to a second connection
     * (a second B2B portal), usually with its own conditions routing each record to one of them.
     */
    like: z.string().min(1).optional(),
    entity: z.enum(entityNames as [string, ...string[]]).optional(),
    source: name.optional(),
    target: name.optional(),
    enabled: z.boolean().default(true),
    /** Cron hours (croner syntax); null turns the catalog's default schedule off. */
    schedule: z.string().nullable().optional(),
    syncMode: z.enum(SYNC_MODES).optional(),
    idMapping: z.enum(['source', 'target']).optional(),
    createIfMissing: z.boolean().optional(),
    ownedFields: z.array(z.string().min(1)).optional(),
    neverOverwrite: z.boolean().optional(),
    ownsEchoes: z.boolean().optional(),
    oldestFirst: z.boolean().optional(),
    conditions: z.array(ConditionConfig).optional(),
    /** Values of the catalog flow's settings (e.g. enabledAttribute: KNB), read by its conditions as $name. */
    settings: z.record(z.string().min(1), z.string().min(1)).optional(),
    transform: z.string().min(1).optional(),
    /** Replaces the catalog's dependencies; each names the entity it refers to, or the flow that brings it. */
    dependencies: z
      .array(
        z
          .object({
            entity: z.enum(entityNames as [string, ...string[]]).optional(),
            flow: z.string().min(1).optional(),
            ids: z.string().min(1),
            /** The ids are the target's keys too: the target is asked for them (see Dependency). */
            targetKeys: z.boolean().optional(),
          })
          .strict()
          .refine((d) => d.entity !== undefined || d.flow !== undefined, {
            message: 'name the entity the ids refer to (entity: customer), or the flow that brings it',
          }),
      )
      .optional(),
    /** Canonical field path → value map name; merged over the catalog's. */
    valueMaps: z.record(z.string().min(1), z.string().min(1)).optional(),
    writeBack: z
      .object({ field: z.string().min(1), value: z.enum(['number', 'id']).default('number') })
      .strict()
      .nullable()
      .optional(),
    overlapMinutes: z
      .number()
      .min(0)
      .max(24 * 60)
      .optional(),
    pageSize: z.number().int().min(1).max(1000).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    retryBaseSeconds: z.number().min(0.01).max(86_400).optional(),
    retryCapSeconds: z
      .number()
      .min(0.01)
      .max(7 * 86_400)
      .optional(),
  })
  .strict();

/**
 * Where alerts go. Secrets (the SMTP password, a webhook address that carries a token) belong in the
 * environment, written `${NAME}` as for connections; the rules themselves live in the store and are
 * changed on the Alerts screen.
 */
export const AlertsConfig = z
  .object({
    /** How often every serving process evaluates the rules (seconds). */
    checkEverySeconds: z.number().min(1).max(3600).default(60),
    /** A reminder while an incident lasts, this often (hours). */
    reminderHours: positive('reminderHours').default(4),
    /** The dashboard's address in messages; else server.publicUrl, else http://<host>:<port>. */
    dashboardUrl: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'dashboardUrl must be an http or https address')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    email: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(587),
        /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
        secure: z.boolean().default(false),
        user: z.string().min(1).optional(),
        pass: z.string().min(1).optional(),
        from: z.string().min(3),
        to: z.array(z.string().min(3)).min(1),
      })
      .strict()
      .optional(),
    webhook: z
      .object({
        url: z
          .string()
          .url()
          .refine((u) => /^https?:\/\//i.test(u), 'the webhook url must be an http or https address'),
        /** json: Ledgerlink's own body; slack: {text, blocks}; teams: an Office 365 MessageCard. */
        format: z.enum(['json', 'slack', 'teams']).default('json'),
        timeoutMs: z.number().int().min(100).max(60_000).default(5000),
      })
      .strict()
      .optional(),
  })
  .strict();

export const ConfigFile = z
  .object({
    database: z.string().optional(),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(3000),
        /**
         * Behind a reverse proxy: which proxies' X-Forwarded-For to believe (true: any; or their
         * addresses / CIDR ranges), so limits per address count the caller, not the proxy.
         */
        trustProxy: z.union([z.boolean(), z.string().min(1), z.array(z.string().min(1))]).default(false),
        /**
         * The address people reach the dashboard at (https://ledgerlink.example.com), when it is not the
         * one the request names: behind a proxy, it makes the OAuth redirect URI
         * (<publicUrl>/oauth/callback) the one registered with the connected system.
         */
        publicUrl: z
          .string()
          .url()
          .refine((u) => /^https?:\/\//i.test(u), 'publicUrl must be an http or https address')
          .transform((u) => u.replace(/\/+$/, ''))
          .optional(),
        limits: z
          .object({
            loginsPerMinutePerAddress: wholeAtLeastOne('loginsPerMinutePerAddress'),
            concurrentPasswordChecks: wholeAtLeastOne('concurrentPasswordChecks'),
            webhooksPerMinutePerAddress: wholeAtLeastOne('webhooksPerMinutePerAddress'),
            webhooksPerMinute: wholeAtLeastOne('webhooksPerMinute'),
            refusedWebhookRetentionDays: positive('refusedWebhookRetentionDays').optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 3000, trustProxy: false, limits: {} }),
    connections: z.record(name, ConnectionConfig),
    flows: z.record(z.string().min(1), FlowConfig).default({}),
    /**
     * Value maps: each a list of rows naming the same code on each connection, e.g.
     * shippingMethod: [{ acumatica: FEDEX2DAY, magento: fedex_FEDEX_2_DAY }].
     */
    valueMaps: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { message: 'use letters, digits and "_"' }),
        z.array(z.record(name, z.union([z.string().min(1), z.number()]).transform(String))),
      )
      .default({}),
    alerts: AlertsConfig.default({ checkEverySeconds: 60, reminderHours: 4 }),
  })
  .strict();

export type ConfigFileShape = z.infer<typeof ConfigFile>;
export type FlowConfigShape = z.infer<typeof FlowConfig>;
export type AlertsConfigShape = z.infer<typeof AlertsConfig>;
