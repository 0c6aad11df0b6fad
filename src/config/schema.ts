import { z } from 'zod';
import { entityNames } from '../model/index.js';

const name = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, { message: 'use lower-case letters, digits, "-" and "_"' });

export const ConnectionConfig = z
  .object({
    connector: z.string().min(1),
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const ConditionConfig = z.object({ name: z.string().min(1), expression: z.string().min(1) }).strict();

export const FlowConfig = z
  .object({
    description: z.string().optional(),
    entity: z.enum(entityNames as [string, ...string[]]).optional(),
    source: name.optional(),
    target: name.optional(),
    enabled: z.boolean().default(true),
    /** Cron hours (croner syntax); null turns the catalog's default schedule off. */
    schedule: z.string().nullable().optional(),
    createIfMissing: z.boolean().optional(),
    ownedFields: z.array(z.string().min(1)).optional(),
    neverOverwrite: z.boolean().optional(),
    conditions: z.array(ConditionConfig).optional(),
    transform: z.string().min(1).optional(),
    dependencies: z.array(z.object({ flow: z.string().min(1), ids: z.string().min(1) }).strict()).optional(),
    writeBack: z
      .object({ field: z.string().min(1) })
      .strict()
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

export const ConfigFile = z
  .object({
    database: z.string().optional(),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(3000),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 3000 }),
    connections: z.record(name, ConnectionConfig),
    flows: z.record(z.string().min(1), FlowConfig).default({}),
  })
  .strict();

export type ConfigFileShape = z.infer<typeof ConfigFile>;
export type FlowConfigShape = z.infer<typeof FlowConfig>;
