import { z } from 'zod';

/** Every environment variable Ledgerlink reads, parsed once; one message lists every bad one. */
const EnvSchema = z.object({
  LEDGERLINK_CONFIG: z.string().default('ledgerlink.yaml'),
  LEDGERLINK_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, { message: 'must start with sqlite: or postgres://' })
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().optional(),
  /** Seconds a worker on PostgreSQL may stay silent before its jobs are given to the other workers. */
  LEDGERLINK_WORKER_TIMEOUT: z.coerce.number().positive().default(30),
  /** The token a `ledgerlink agent` demands of the server (or --token-file). */
  LEDGERLINK_AGENT_TOKEN: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {}

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new EnvError(`bad environment variable${lines.length > 1 ? 's' : ''}: ${lines.join('; ')}`);
}
