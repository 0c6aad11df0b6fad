import { Cron } from 'croner';
import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../engine/errors.js';
import { SYNC_MODES } from '../../engine/flow.js';
import type { ServerDeps } from '../app.js';
import { saveFlowEdits } from './flow-edit.js';
import { errorSchema } from './schemas.js';

/**
 * The synchronization settings an operator runs the day with (seed 002's panel): when each flow moves
 * (`syncMode`, `schedule`) and how customers are numbered (`idMapping`). They are the same keys the
 * admin's flow edit writes, but only these: owned fields and conditions stay an admin's decision.
 */
const syncSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    syncMode: { type: 'string', enum: [...SYNC_MODES] },
    schedule: { type: ['string', 'null'], maxLength: 200, description: 'cron hours; null: no schedule' },
    idMapping: { type: 'string', enum: ['source', 'target'] },
  },
} as const;

/** A panel changes a handful of flows; more than this in one request is not a panel. */
const MAX_FLOWS = 50;

type Patch = { syncMode?: string; schedule?: string | null; idMapping?: string };

export function registerSyncSettingsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;

  app.put<{ Body: { flows: Record<string, Patch> } }>(
    '/api/sync-settings',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['flows'],
        summary:
          "Change flows' synchronization settings (sync mode, schedule, customer id mapping) in one edit of the configuration file, applied without a restart",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['flows'],
          properties: {
            flows: {
              type: 'object',
              minProperties: 1,
              maxProperties: MAX_FLOWS,
              additionalProperties: syncSettingsSchema,
            },
          },
        },
        response: { 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const patches = req.body.flows;
      for (const [name, patch] of Object.entries(patches)) checkPatch(deps, name, patch);
      await saveFlowEdits(deps, patches);
      return {
        flows: Object.keys(patches).map((name) => {
          const f = ctx.engine.flow(name);
          return {
            name,
            syncMode: f.syncMode,
            schedule: f.schedule ?? null,
            ...(f.idMapping ? { idMapping: f.idMapping } : {}),
          };
        }),
      };
    },
  );
}

/**
 * Refuses, naming the field, what the configuration would refuse anyway — but said in the words of
 * the request (`flows.<name>.schedule`), not of the file — and what it would take silently: a
 * scheduled flow without hours never runs.
 */
function checkPatch(deps: ServerDeps, name: string, patch: Patch): void {
  const flowNames = deps.ctx.engine.flowNames();
  if (!flowNames.includes(name))
    throw new EngineError(
      'invalid_request',
      `flows.${name}: no such flow; configured flows: ${flowNames.join(', ') || '(none)'}`,
    );
  if (typeof patch.schedule === 'string') {
    try {
      new Cron(patch.schedule, { paused: true }).stop();
    } catch (e) {
      throw new EngineError(
        'invalid_request',
        `flows.${name}.schedule: "${patch.schedule}" is not a valid cron schedule (${(e as Error).message})`,
      );
    }
  }
  const schedule = patch.schedule !== undefined ? patch.schedule : deps.ctx.engine.flow(name).schedule;
  if (patch.syncMode === 'scheduled' && !schedule)
    throw new EngineError(
      'invalid_request',
      `flows.${name}.schedule: a flow synchronized on scheduled time needs the hours it runs at`,
    );
}
